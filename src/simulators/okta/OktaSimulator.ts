import { randomBytes, randomUUID } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import { Effect, Either, type Scope } from "effect"
import { LOGS_PATH } from "../../providers/okta/OktaPosition.ts"
import type { ProviderSimulator, SimulatorOptions } from "../../providers/ProviderAdapter.ts"
import { serveOnLoopback } from "../kit/loopbackServer.ts"
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

/** One request as the simulator saw it, and what it answered. */
export interface ReceivedRequest {
  readonly method: string
  readonly path: string
  readonly params: Readonly<Record<string, string>>
  /** Only the scheme: the simulator keeps no credentials in its log. */
  readonly authScheme: string | undefined
  readonly status: number
  readonly receivedAt: number
  readonly rateLimitRemaining: number
  /** X-Rate-Limit-Reset as sent: epoch seconds. */
  readonly rateLimitReset: number
}

export type MalformedRecord = "missing-uuid" | "bad-published"

export interface OktaSimulatorHandle extends ProviderSimulator {
  /** An OAuth access token the simulator accepts as `Bearer`, alongside the `SSWS` api_token. */
  readonly accessToken: string
  readonly requests: () => ReadonlyArray<ReceivedRequest>
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
/**
 * A request this close before a window's reset counts in the next window: a client that slept until the
 * advertised reset may be woken a few milliseconds early by its timer, and Okta's reset is an estimate anyway.
 */
const RESET_GRACE_MS = 50

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.statusCode = status
  res.setHeader("Content-Type", "application/json")
  res.end(JSON.stringify(body))
}

/** A local Okta org speaking the System Log API over real HTTP, on 127.0.0.1. */
export const startOktaSimulator = (
  options: OktaSimulatorOptions = {},
): Effect.Effect<OktaSimulatorHandle, never, Scope.Scope> =>
  Effect.gen(function* () {
    const generator = eventGenerator(options.seed ?? 1)
    const apiToken = `00${randomBytes(30).toString("base64url")}`
    const accessToken = `eyJ${randomBytes(48).toString("base64url")}`
    const rateLimit = options.rateLimit ?? 120
    const windowMs = Math.max(1, Math.round((options.rateLimitWindowMs ?? 60_000) / 1000)) * 1000

    const store: Array<StoredEvent> = generator
      .history(options.historySize ?? 50, Date.now(), HISTORY_SPAN_MS)
      .sort((a, b) => a.persistedAt - b.persistedAt)
      .map(({ event, persistedAt }, i) => ({ seq: i + 1, persistedAt, event }))
    const persist = (event: unknown) => {
      const last = store.at(-1)
      store.push({
        seq: (last?.seq ?? 0) + 1,
        persistedAt: Math.max(Date.now(), last?.persistedAt ?? 0),
        event,
      })
    }

    const received: Array<ReceivedRequest> = []
    let window = { index: -1, used: 0 }
    let forced429 = { count: 0, resetInMs: 1500 }
    let forced500 = 0

    const handle = (req: IncomingMessage, res: ServerResponse, origin: string) => {
      const now = Date.now()
      const url = new URL(req.url ?? "/", origin)
      const index = Math.floor((now + RESET_GRACE_MS) / windowMs)
      if (index !== window.index) window = { index, used: 0 }
      window.used++
      let remaining = Math.max(0, rateLimit - window.used)
      let reset = ((index + 1) * windowMs) / 1000
      const authorization = req.headers.authorization ?? ""
      const [scheme, token] = authorization.split(" ", 2)

      const answer = (): [number, unknown] => {
        if (forced429.count > 0) {
          forced429 = { ...forced429, count: forced429.count - 1 }
          remaining = 0
          reset = Math.ceil((now + forced429.resetInMs) / 1000)
          return [429, oktaErrorBody("E0000047", "API call exceeded rate limit due to too many requests.")]
        }
        if (window.used > rateLimit) {
          return [429, oktaErrorBody("E0000047", "API call exceeded rate limit due to too many requests.")]
        }
        if (forced500 > 0) {
          forced500--
          return [500, oktaErrorBody("E0000009", "Internal Server Error")]
        }
        if (url.pathname !== LOGS_PATH) {
          return [404, oktaErrorBody("E0000007", `Not found: Resource not found: ${url.pathname} (GET)`)]
        }
        if (req.method !== "GET") {
          return [405, oktaErrorBody("E0000022", "The endpoint does not support the provided HTTP method")]
        }
        const authorized =
          (scheme === "SSWS" && token === apiToken) || (scheme === "Bearer" && token === accessToken)
        if (!authorized) return [401, oktaErrorBody("E0000011", "Invalid token provided")]
        const result = querySystemLog(store, url.searchParams, now)
        if (Either.isLeft(result)) return [400, result.left]
        const links = [`<${url.href}>; rel="self"`]
        if (result.right.next) {
          links.push(`<${options.nextLinkOrigin ?? origin}${LOGS_PATH}?${result.right.next}>; rel="next"`)
        }
        // Okta sends each relation as its own `link` header.
        res.setHeader("Link", links)
        return [200, result.right.events]
      }

      const [status, body] = answer()
      res.setHeader("X-Okta-Request-Id", randomUUID().replaceAll("-", "").slice(0, 27))
      res.setHeader("X-Rate-Limit-Limit", String(rateLimit))
      res.setHeader("X-Rate-Limit-Remaining", String(remaining))
      res.setHeader("X-Rate-Limit-Reset", String(reset))
      received.push({
        method: req.method ?? "GET",
        path: url.pathname,
        params: Object.fromEntries(url.searchParams),
        authScheme: scheme === "" ? undefined : scheme,
        status,
        receivedAt: now,
        rateLimitRemaining: remaining,
        rateLimitReset: reset,
      })
      json(res, status, body)
    }

    const origin = yield* serveOnLoopback(options.port, handle)

    return {
      integration: "okta",
      baseUrl: origin,
      credentials: { api_token: apiToken },
      settings: {},
      accessToken,
      emit: (count) => {
        for (const event of generator.burst(count, Date.now())) persist(event)
      },
      events: () => store.map((stored) => stored.event),
      requests: () => [...received],
      forceRateLimited: (count, resetInMs = 1500) => {
        forced429 = { count, resetInMs }
      },
      forceServerError: (count) => {
        forced500 = count
      },
      inject: persist,
      injectMalformed: (flaw) => {
        const [event] = generator.burst(1, Date.now())
        const { uuid: _uuid, ...withoutUuid } = event as Record<string, unknown>
        const record = flaw === "missing-uuid" ? withoutUuid : { ...event, published: "not a date" }
        persist(record)
        return record
      },
    } satisfies OktaSimulatorHandle
  })
