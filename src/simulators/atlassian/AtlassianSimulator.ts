import { randomUUID } from "node:crypto"
import { Effect, Either, type Scope } from "effect"
import type { AtlassianErrors } from "../../providers/atlassian/AtlassianEvent.ts"
import { credentialsUnder, newSecret } from "../kit/authorization.ts"
import type { Reply } from "../kit/Reply.ts"
import {
  FORCED_RESET_MS,
  RateLimitHeaders,
  type RateLimitWindow,
  rateLimitWindow,
} from "../kit/rateLimitWindow.ts"
import { type RequestReceived, requestLog } from "../kit/requestLog.ts"
import { type SimulatorRequest, serveSimulator } from "../kit/serveSimulator.ts"
import { simulatorClock } from "../kit/simulatorClock.ts"
import type { ProviderSimulator, SimulatorOptions } from "../ProviderSimulator.ts"
import { type QueryPage, queryEvents, queryStream, type StoredEvent } from "./eventsQuery.ts"
import { type MalformedEvent, orgEventGenerator } from "./orgEvents.ts"

// Atlassian's organization events (Organizations REST API, admin.atlassian.com) over real HTTP on 127.0.0.1:
// `GET /admin/v1/orgs/{orgId}/events-stream` and `/events`, behind `Authorization: Bearer
// <org API key>`. Rate limits as the admin APIs document them: 429 over the limit, `X-RateLimit-Limit`,
// `-Remaining` and `-Reset` (an ISO 8601 UTC date-time) on every answer; `/events` at 10 a minute. Chosen
// here (not documented): the stream's own limit (100 a minute unless given), `Retry-After` on a 429 (seconds;
// switch it off with `retryAfter: false`), the 401 body (the api.atlassian.com gateway's `{code, message}`),
// and 403 `ADMIN-403-3` for a key used on another org's path.

export interface AtlassianSimulatorOptions extends SimulatorOptions {
  /** Stream requests a minute; Atlassian publishes no number for `/events-stream`. */
  readonly streamRequestsPerMinute?: number
  /** `/events`: 10 a minute per user and per path since May 2025. */
  readonly queryRequestsPerMinute?: number
  /** Whether a 429 carries `Retry-After` (not documented for this API). */
  readonly retryAfter?: boolean
  /** How far back the history reaches; a day unless given. */
  readonly historySpanMs?: number
}

export interface AtlassianSimulatorHandle extends ProviderSimulator {
  readonly integration: "atlassian"
  readonly credentials: { readonly access_token: string }
  /** The org id the account's path uses. */
  readonly settings: { readonly organization_id: string }
  readonly orgId: string
  readonly requests: () => ReadonlyArray<RequestReceived<AtlassianNote>>
  /** The next `count` requests (any endpoint) get a 429 whose reset is `resetInMs` ahead. */
  readonly forceRateLimited: (count: number, resetInMs?: number) => void
  /** Every cursor handed out so far is refused from now on (`ADMIN-400-1`). */
  readonly expireCursors: () => void
  /** Appends any raw event as processed now; an older `attributes.time` is an event processed late. */
  readonly inject: (event: unknown) => void
  /** Appends a generated event with one documented guarantee broken; returns it. */
  readonly injectMalformed: (flaw: MalformedEvent) => unknown
}

interface AtlassianNote {
  readonly rateLimitRemaining?: number
  /** Events on the page, for a read answered 200. */
  readonly events?: number
}

const MINUTE_MS = 60_000
const errors = (status: number, code: string | undefined, title: string): AtlassianErrors => ({
  errors: [{ id: randomUUID(), status: String(status), ...(code ? { code } : {}), title }],
})

export const startAtlassianSimulator = (
  options: AtlassianSimulatorOptions = {},
): Effect.Effect<AtlassianSimulatorHandle, never, Scope.Scope> =>
  Effect.gen(function* () {
    const now = yield* simulatorClock
    const orgId = randomUUID()
    const apiKey = `ATCTT3xFfGN0${newSecret(40)}`
    let origin = ""
    const generator = orgEventGenerator(options.seed ?? 1, orgId, () => origin)
    let generation = 0

    const store: Array<StoredEvent> = []
    const timeOf = (event: unknown) => {
      const time = (event as { attributes?: { time?: unknown } } | null)?.attributes?.time
      const ms = typeof time === "string" ? Date.parse(time) : Number.NaN
      return Number.isNaN(ms) ? now() : ms
    }
    const file = (event: unknown, time: number, processedAt: number) => {
      store.push({ seq: store.length + 1, time, processedAt, event: event as Record<string, unknown> })
    }
    for (const generated of generator.history(
      options.historySize ?? 50,
      now(),
      options.historySpanMs ?? 86_400_000,
    )) {
      file(generated.event, generated.time, generated.processedAt)
    }

    const window = (limit: number): RateLimitWindow =>
      rateLimitWindow({
        limit,
        windowMs: MINUTE_MS,
        headers: RateLimitHeaders.xRateLimit,
        refusalBody: () => undefined,
      })
    const streamWindow = window(options.streamRequestsPerMinute ?? 100)
    const queryWindow = window(options.queryRequestsPerMinute ?? 10)
    let forced = { count: 0, resetInMs: 0 }

    const limited = (quota: RateLimitWindow, request: SimulatorRequest) => {
      const taken = quota.take(request.receivedAt)
      let { remaining, resetAt } = taken.quota
      let refused = taken.refusal !== undefined
      if (forced.count > 0) {
        forced = { ...forced, count: forced.count - 1 }
        remaining = 0
        resetAt = Math.ceil((request.receivedAt + forced.resetInMs) / 1000) * 1000
        refused = true
      }
      const headers = {
        "X-RateLimit-Limit": String(taken.quota.limit),
        "X-RateLimit-Remaining": String(remaining),
        "X-RateLimit-Reset": new Date(resetAt).toISOString(),
      }
      const wait = String(Math.max(0, Math.ceil((resetAt - request.receivedAt) / 1000)))
      const refusal: Reply<AtlassianNote> | undefined = refused
        ? {
            status: 429,
            body: errors(429, "ADMIN-429-1", "Rate limit exceeded"),
            headers: { ...headers, ...(options.retryAfter === false ? {} : { "Retry-After": wait }) },
            note: { rateLimitRemaining: 0 },
          }
        : undefined
      return { headers, remaining, refusal }
    }

    const pageReply = (
      request: SimulatorRequest,
      answer: Either.Either<QueryPage, { status: number; body: AtlassianErrors }>,
      headers: Record<string, string>,
      remaining: number,
    ): Reply<AtlassianNote> =>
      Either.match(answer, {
        onLeft: (error) => ({
          status: error.status,
          body: error.body,
          headers,
          note: { rateLimitRemaining: remaining },
        }),
        onRight: (page) => {
          const nextUrl =
            page.next === null
              ? null
              : `${request.origin}${request.url.pathname}?${new URLSearchParams({ cursor: page.next })}`
          return {
            status: 200,
            body: {
              data: page.events,
              meta: { next: page.next, page_size: page.pageSize },
              links: { self: request.url.href, ...(nextUrl === null ? {} : { next: nextUrl }) },
            },
            headers,
            note: { rateLimitRemaining: remaining, events: page.events.length },
          }
        },
      })

    const handle = (request: SimulatorRequest): Reply<AtlassianNote> => {
      const { url, method, authorization } = request
      const match = /^\/admin\/v1\/orgs\/([^/]+)\/(events-stream|events)$/.exec(url.pathname)
      if (!match || method !== "GET") {
        return { status: 404, body: errors(404, "ADMIN-404-1", "Unknown resource") }
      }
      if (credentialsUnder(authorization, "Bearer") !== apiKey) {
        return { status: 401, body: { code: 401, message: "Unauthorized" } }
      }
      if (decodeURIComponent(match[1] as string) !== orgId) {
        return { status: 403, body: errors(403, "ADMIN-403-3", "Not allowed to manage the org") }
      }
      const resource = match[2]
      const quota = limited(resource === "events" ? queryWindow : streamWindow, request)
      if (quota.refusal) return quota.refusal
      const answer =
        resource === "events"
          ? queryEvents(store, url.searchParams, generation)
          : queryStream(store, url.searchParams, generation)
      return pageReply(request, answer, quota.headers, quota.remaining)
    }

    const server = yield* serveSimulator<AtlassianNote>({
      port: options.port,
      everyResponse: () => ({ "ATL-TraceId": randomUUID().replaceAll("-", "").slice(0, 16) }),
      handle,
    })
    origin = server.origin

    return {
      integration: "atlassian",
      baseUrl: server.origin,
      credentials: { access_token: apiKey },
      settings: { organization_id: orgId },
      orgId,
      emit: (count) => {
        for (const generated of generator.burst(count, now()))
          file(generated.event, generated.time, generated.processedAt)
      },
      events: () => store.map((stored) => stored.event),
      requests: requestLog(server),
      forceRateLimited: (count, resetInMs = FORCED_RESET_MS) => {
        forced = { count, resetInMs }
      },
      expireCursors: () => {
        generation++
      },
      inject: (event) => file(event, timeOf(event), now()),
      injectMalformed: (flaw) => {
        const generated = generator.malformed(flaw, now())
        file(generated.event, generated.time, generated.processedAt)
        return generated.event
      },
    } satisfies AtlassianSimulatorHandle
  })
