import { Effect, type Scope } from "effect"
import { AUDIT_LOGS_PAGE_SIZE_MAX } from "../../providers/browserstack/BrowserStackAuditLog.ts"
import { basicCredentials, newSecret } from "../kit/authorization.ts"
import { historyTimes } from "../kit/historyTimes.ts"
import { nextPageHooks } from "../kit/nextPageHooks.ts"
import type { Reply } from "../kit/Reply.ts"
import { type RequestReceived, requestLog } from "../kit/requestLog.ts"
import { type SimulatorRequest, serveSimulator } from "../kit/serveSimulator.ts"
import { simulatorClock } from "../kit/simulatorClock.ts"
import type { ProviderSimulator, SimulatorOptions } from "../ProviderSimulator.ts"
import {
  ACTIVITY_CATALOGUE,
  browserstackLogGenerator,
  type MalformedBrowserStackLog,
} from "./browserstackAuditLogs.ts"

// BrowserStack's Enterprise Audit Logs API over real HTTP on 127.0.0.1.
// CONFIRMED parts: HTTP Basic with username and access key (401 otherwise); `GET /audit/v1/activities`
// answering `{activities: {<category>: [key…]}}`; the rate limit (a burst of 5, then 15 a minute; 429 beyond).
// ASSUMED parts (BrowserStack's reference for the logs call is not publicly readable; these follow the
// adapter's assumptions in src/providers/browserstack/streams/auditLogs.ts): `GET /audit/v1/logs` with `from_date` /
// `to_date` (ISO 8601, inclusive), `offset` / `limit` (at most 100), answering `{logs, total, offset, limit}`
// newest first; entries without ids; a 429 carrying `Retry-After` (seconds); error bodies
// `{success: false, message}` as BrowserStack's sibling REST APIs write them.

export interface BrowserStackSimulatorOptions extends SimulatorOptions {
  /** The burst; 5 unless given. */
  readonly burst?: number
  /** The sustained rate after the burst; 15 a minute unless given. */
  readonly requestsPerMinute?: number
  /** How far back the history reaches; six hours unless given. It ends five minutes before the start. */
  readonly historySpanMs?: number
}

export interface BrowserStackSimulatorHandle extends ProviderSimulator {
  readonly integration: "browserstack"
  readonly credentials: { readonly username: string; readonly access_key: string }
  readonly requests: () => ReadonlyArray<RequestReceived>
  /** The next `count` requests get a 429 whose `Retry-After` covers `retryInMs` (rounded up to a second). */
  readonly forceRateLimited: (count: number, retryInMs?: number) => void
  /** Appends raw entries dated `at` (epoch ms). */
  readonly inject: (entries: ReadonlyArray<unknown>, at: number) => void
  /** `count` generated entries dated `at`; returns them. */
  readonly emitAt: (count: number, at: number) => ReadonlyArray<Record<string, unknown>>
  readonly injectMalformed: (flaw: MalformedBrowserStackLog, at: number) => unknown
  /** Runs `effect` once, right after the next page answered 200: entries arriving between two pages. */
  readonly afterNextPage: (effect: () => void) => void
}

interface StoredEntry {
  readonly at: number
  readonly seq: number
  readonly entry: unknown
}

const LOGS = "/audit/v1/logs"
const ACTIVITIES = "/audit/v1/activities"
const failure = (message: string) => ({ success: false, message })

/** A token bucket: `burst` requests at once, refilled at `perMinute`. */
const tokenBucket = (burst: number, perMinute: number) => {
  const refillMs = 60_000 / perMinute
  let tokens = burst
  let updatedAt: number | undefined
  let forced = { count: 0, retryInMs: 0 }
  return {
    /** Undefined when the request may go; else the milliseconds until it could. */
    take: (now: number): number | undefined => {
      if (forced.count > 0) {
        forced = { ...forced, count: forced.count - 1 }
        return forced.retryInMs
      }
      if (updatedAt !== undefined) tokens = Math.min(burst, tokens + (now - updatedAt) / refillMs)
      updatedAt = now
      if (tokens >= 1) {
        tokens -= 1
        return undefined
      }
      return (1 - tokens) * refillMs
    },
    force: (count: number, retryInMs: number) => {
      forced = { count, retryInMs }
    },
  }
}

export const startBrowserStackSimulator = (
  options: BrowserStackSimulatorOptions = {},
): Effect.Effect<BrowserStackSimulatorHandle, never, Scope.Scope> =>
  Effect.gen(function* () {
    const now = yield* simulatorClock
    const credentials = { username: `siemexport_${newSecret(6)}`, access_key: newSecret(15) }
    const generator = browserstackLogGenerator(options.seed ?? 1)
    const store: StoredEntry[] = []
    let seq = 0
    const file = (entry: unknown, at: number) => {
      store.push({ at, seq: ++seq, entry })
    }
    for (const at of historyTimes(options, now())) file(generator.entry(at), at)
    const bucket = tokenBucket(options.burst ?? 5, options.requestsPerMinute ?? 15)

    const nextPage = nextPageHooks()
    const logs = (request: SimulatorRequest): Reply => {
      const params = request.url.searchParams
      const integer = (name: string): number | undefined => {
        const text = params.get(name)
        return text === null || text === "" ? undefined : /^\d+$/.test(text) ? Number(text) : Number.NaN
      }
      const date = (name: string): number | undefined => {
        const text = params.get(name)
        return text === null || text === "" ? undefined : Date.parse(text)
      }
      const offset = integer("offset") ?? 0
      const asked = integer("limit") ?? AUDIT_LOGS_PAGE_SIZE_MAX
      const from = date("from_date")
      const to = date("to_date")
      if ([offset, asked, from, to].some((value) => Number.isNaN(value)) || asked < 1) {
        return {
          status: 400,
          body: failure(
            "offset and limit must be non-negative integers, from_date and to_date ISO 8601 dates",
          ),
        }
      }
      const limit = Math.min(asked, AUDIT_LOGS_PAGE_SIZE_MAX)
      const matching = store
        .filter(
          (stored) => (from === undefined || stored.at >= from) && (to === undefined || stored.at <= to),
        )
        .sort((a, b) => b.at - a.at || b.seq - a.seq)
      const entries = matching.slice(offset, offset + limit).map((stored) => stored.entry)
      nextPage.run()
      return {
        status: 200,
        body: {
          logs: entries,
          total: matching.length,
          offset,
          limit,
        },
      }
    }

    const server = yield* serveSimulator({
      port: options.port,
      handle: (request) => {
        const path = request.url.pathname
        if (path !== LOGS && path !== ACTIVITIES) return { status: 404, body: failure("Not Found") }
        if (request.method !== "GET") return { status: 405, body: failure("Method Not Allowed") }
        const basic = basicCredentials(request.authorization)
        if (basic?.userId !== credentials.username || basic.password !== credentials.access_key) {
          return {
            status: 401,
            body: failure("Unauthorized"),
            headers: { "WWW-Authenticate": 'Basic realm="BrowserStack API"' },
          }
        }
        const waitMs = bucket.take(request.receivedAt)
        if (waitMs !== undefined) {
          return {
            status: 429,
            body: failure("Rate limit exceeded. Please retry after some time."),
            headers: { "Retry-After": String(Math.max(1, Math.ceil(waitMs / 1000))) },
          }
        }
        if (path === ACTIVITIES) return { status: 200, body: { activities: ACTIVITY_CATALOGUE } }
        return logs(request)
      },
    })

    return {
      integration: "browserstack",
      baseUrl: server.origin,
      credentials,
      settings: {},
      emit: (count) => {
        for (let i = 0; i < count; i++) {
          const at = now()
          file(generator.entry(at), at)
        }
      },
      events: () => store.map((stored) => stored.entry),
      requests: requestLog(server),
      forceRateLimited: (count, retryInMs = 1000) => bucket.force(count, retryInMs),
      inject: (entries, at) => {
        for (const entry of entries) file(entry, at)
      },
      emitAt: (count, at) =>
        Array.from({ length: count }, () => {
          const entry = generator.entry(at)
          file(entry, at)
          return entry
        }),
      injectMalformed: (flaw, at) => {
        const entry = generator.malformed(flaw, at)
        file(entry, at)
        return entry
      },
      afterNextPage: nextPage.add,
    } satisfies BrowserStackSimulatorHandle
  })
