import { randomUUID } from "node:crypto"
import { Effect, Either, type Scope } from "effect"
import { LOGS_PATH } from "../../providers/okta/OktaPosition.ts"
import { hasCredential, newSecret } from "../kit/authorization.ts"
import type { Reply } from "../kit/Reply.ts"
import { RateLimitHeaders, rateLimitWindow } from "../kit/rateLimitWindow.ts"
import { type RequestReceived, requestLog } from "../kit/requestLog.ts"
import { type LoggedRequest, type SimulatorRequest, serveSimulator } from "../kit/serveSimulator.ts"
import { simulatorClock } from "../kit/simulatorClock.ts"
import type { ProviderSimulator, SimulatorOptions } from "../ProviderSimulator.ts"
import { eventGenerator } from "./eventGenerator.ts"
import { oktaErrorBody } from "./oktaErrorBody.ts"
import { querySystemLog, type StoredEvent } from "./systemLogQuery.ts"

export interface OktaSimulatorOptions extends SimulatorOptions {
  /** Requests allowed per rate-limit window; Okta allows 20–120 a minute on /api/v1/logs, by edition. */
  readonly rateLimit?: number
  /** The window's length, rounded to whole seconds (the reset header is in epoch seconds); Okta's is a minute. */
  readonly rateLimitWindowMs?: number
  /** Origin written into `rel="next"` links instead of the simulator's own: a hostile or misconfigured proxy. */
  readonly nextLinkOrigin?: string
}

/** The quota an answer reported, as its headers said it. */
interface QuotaReported {
  readonly rateLimitRemaining: number
  /** X-Rate-Limit-Reset as sent: epoch seconds. */
  readonly rateLimitReset: number
}

const quotaReported = ({ rateLimit }: LoggedRequest): QuotaReported => ({
  rateLimitRemaining: rateLimit?.remaining ?? 0,
  rateLimitReset: (rateLimit?.resetAt ?? 0) / 1000,
})

export type MalformedRecord = "missing-uuid" | "bad-published"

export interface OktaSimulatorHandle extends ProviderSimulator {
  /** An OAuth access token the simulator accepts as `Bearer`, alongside the `SSWS` api_token. */
  readonly accessToken: string
  readonly requests: () => ReadonlyArray<RequestReceived<QuotaReported>>
  /** The next `count` requests get a 429 E0000047 whose X-Rate-Limit-Reset is `resetInMs` ahead (rounded up). */
  readonly forceRateLimited: (count: number, resetInMs?: number) => void
  /** The next `count` requests get a 500 E0000009. */
  readonly forceServerError: (count: number) => void
  /** Appends any raw record to the log, as if Okta had persisted it now. */
  readonly inject: (record: unknown) => void
  /** Appends a generated event with one documented guarantee broken; returns it. */
  readonly injectMalformed: (flaw: MalformedRecord) => unknown
}

const HISTORY_SPAN_MS = 6 * 60 * 60 * 1000

/** A local Okta org speaking the System Log API over real HTTP, on 127.0.0.1. */
export const startOktaSimulator = (
  options: OktaSimulatorOptions = {},
): Effect.Effect<OktaSimulatorHandle, never, Scope.Scope> =>
  Effect.gen(function* () {
    const now = yield* simulatorClock
    const generator = eventGenerator(options.seed ?? 1)
    const apiToken = `00${newSecret(30)}`
    const accessToken = `eyJ${newSecret(48)}`

    const store: Array<StoredEvent> = generator
      .history(options.historySize ?? 50, now(), HISTORY_SPAN_MS)
      .sort((a, b) => a.persistedAt - b.persistedAt)
      .map(({ event, persistedAt }, i) => ({ seq: i + 1, persistedAt, event }))
    const persist = (event: unknown) => {
      const last = store.at(-1)
      store.push({ seq: (last?.seq ?? 0) + 1, persistedAt: Math.max(now(), last?.persistedAt ?? 0), event })
    }

    const rateLimit = rateLimitWindow({
      limit: options.rateLimit ?? 120,
      windowMs: options.rateLimitWindowMs ?? 60_000,
      headers: RateLimitHeaders.okta,
      // Okta's reset is an estimate; a client woken a little early by its timer belongs in the next window.
      graceMs: 50,
      refusalBody: () => oktaErrorBody("E0000047", "API call exceeded rate limit due to too many requests."),
    })
    let forced500 = 0

    const handle = ({ method, url, origin, authorization, receivedAt }: SimulatorRequest): Reply => {
      if (forced500 > 0) {
        forced500--
        return { status: 500, body: oktaErrorBody("E0000009", "Internal Server Error") }
      }
      if (url.pathname !== LOGS_PATH) {
        return {
          status: 404,
          body: oktaErrorBody("E0000007", `Not found: Resource not found: ${url.pathname} (GET)`),
        }
      }
      if (method !== "GET") {
        return {
          status: 405,
          body: oktaErrorBody("E0000022", "The endpoint does not support the provided HTTP method"),
        }
      }
      if (
        !hasCredential(authorization, "SSWS", apiToken) &&
        !hasCredential(authorization, "Bearer", accessToken)
      ) {
        return { status: 401, body: oktaErrorBody("E0000011", "Invalid token provided") }
      }
      const result = querySystemLog(store, url.searchParams, receivedAt)
      if (Either.isLeft(result)) return { status: 400, body: result.left }
      const links = [`<${url.href}>; rel="self"`]
      if (result.right.next) {
        links.push(`<${options.nextLinkOrigin ?? origin}${LOGS_PATH}?${result.right.next}>; rel="next"`)
      }
      // Okta sends each relation as its own `link` header.
      return { status: 200, body: result.right.events, headers: { Link: links } }
    }

    const server = yield* serveSimulator({
      port: options.port,
      rateLimit,
      everyResponse: () => ({ "X-Okta-Request-Id": randomUUID().replaceAll("-", "").slice(0, 27) }),
      handle,
    })

    return {
      integration: "okta",
      baseUrl: server.origin,
      credentials: { api_token: apiToken },
      settings: {},
      accessToken,
      emit: (count) => {
        for (const event of generator.burst(count, now())) persist(event)
      },
      events: () => store.map((stored) => stored.event),
      requests: requestLog(server, quotaReported),
      forceRateLimited: rateLimit.forceLimited,
      forceServerError: (count) => {
        forced500 = count
      },
      inject: persist,
      injectMalformed: (flaw) => {
        const [event] = generator.burst(1, now())
        const { uuid: _uuid, ...withoutUuid } = event as Record<string, unknown>
        const record = flaw === "missing-uuid" ? withoutUuid : { ...event, published: "not a date" }
        persist(record)
        return record
      },
    } satisfies OktaSimulatorHandle
  })
