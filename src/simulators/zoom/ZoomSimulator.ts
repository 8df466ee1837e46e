import { Effect, type Scope } from "effect"
import { credentialsUnder, newSecret } from "../kit/authorization.ts"
import type { Reply } from "../kit/Reply.ts"
import { seededRandom } from "../kit/seededRandom.ts"
import { type LoggedRequest, type SimulatorRequest, serveSimulator } from "../kit/serveSimulator.ts"
import { simulatorClock } from "../kit/simulatorClock.ts"
import type { ProviderSimulator, SimulatorOptions } from "../ProviderSimulator.ts"
import { startZoomOAuthSimulator, type ZoomOAuthSimulatorHandle } from "./ZoomOAuthSimulator.ts"

const ACTIVITIES_PATH = "/v2/report/activities"
const OPERATION_LOGS_PATH = "/v2/report/operationlogs"
const DAY_MS = 24 * 60 * 60 * 1000
/** zoom.md §4: a next_page_token dies after 15 minutes. */
const TOKEN_LIFETIME_MS = 15 * 60 * 1000
const HISTORY_SPAN_MS = 6 * 60 * 60 * 1000

type Report = "activities" | "operation_logs"

interface Row {
  readonly report: Report
  readonly at: number
  readonly row: Record<string, unknown>
}

export interface ZoomSimulatorOptions extends SimulatorOptions {
  /** Operation-log rows in the history, besides `historySize` sign-in/sign-out rows; default a third of it. */
  readonly operationLogHistory?: number
}

export interface ZoomSimulatorHandle extends ProviderSimulator {
  readonly oauth: ZoomOAuthSimulatorHandle
  /** Every report request, oldest first (token requests are on `oauth`). */
  readonly requests: () => ReadonlyArray<LoggedRequest>
  /** Rows of one report, in the order they were added. */
  readonly rows: (report: Report) => ReadonlyArray<Record<string, unknown>>
  /** Adds sign-in/sign-out rows all stamped with one second, `at` (default now). */
  readonly emitAt: (count: number, at?: number) => ReadonlyArray<Record<string, unknown>>
  /** Adds operation-log rows stamped now. */
  readonly emitOperations: (count: number) => ReadonlyArray<Record<string, unknown>>
  /** Adds a raw row to a report as it is. */
  readonly inject: (report: Report, row: Record<string, unknown>, at?: number) => void
  /** The next `count` report requests get Zoom's per-second 429 (its headers, no Retry-After). */
  readonly forceRateLimited: (count: number) => void
}

const second = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")

/**
 * Zoom's report API over real HTTP on 127.0.0.1: `GET /v2/report/activities` and `/v2/report/operationlogs`
 * with day-granular `from`/`to` (at most a month, within six months), `page_size` (≤ 300) and
 * `next_page_token` (15 minutes), newest first, behind Server-to-Server OAuth tokens from its own token
 * endpoint (`settings.token_url`).
 */
export const startZoomSimulator = (
  options: ZoomSimulatorOptions = {},
): Effect.Effect<ZoomSimulatorHandle, never, Scope.Scope> =>
  Effect.gen(function* () {
    const now = yield* simulatorClock
    const random = seededRandom(options.seed ?? 1)
    const oauth = yield* startZoomOAuthSimulator({})
    const users = Array.from({ length: 12 }, (_, i) => `user${i + 1}@example.com`)
    const store: Row[] = []

    const signIn = (at: number) => ({
      email: random.pick(users),
      time: second(at),
      type: random.next() < 0.6 ? "Sign in" : "Sign out",
      ip_address: `203.0.113.${1 + random.int(250)}`,
      client_type: random.pick(["Browser", "Windows", "Mac", "iOS", "Android"]),
      version: random.pick(["-", "5.17.11", "6.0.2"]),
    })
    const operation = (at: number) => {
      const target = random.pick(users)
      const [action, detail] = random.pick([
        ["Add", `Add User ${target} `],
        ["Update", `Update User ${target} : Change role`],
        ["Update", `Deactivate User ${target} `],
        ["Delete", `Delete User ${target}`],
        ["Update", `Activate User ${target}`],
      ] as const)
      return {
        time: second(at),
        operator: "admin@example.com",
        category_type: "User",
        action,
        operation_detail: detail,
      }
    }
    const add = (report: Report, row: Record<string, unknown>, at: number) => {
      store.push({ report, at: Math.floor(at / 1000) * 1000, row })
      return row
    }
    const start = now()
    for (let i = 0; i < (options.historySize ?? 50); i++) {
      const at = start - random.int(HISTORY_SPAN_MS)
      add("activities", signIn(at), at)
    }
    for (let i = 0; i < (options.operationLogHistory ?? Math.floor((options.historySize ?? 50) / 3)); i++) {
      const row = operation(start - random.int(HISTORY_SPAN_MS))
      add("operation_logs", row, Date.parse(row.time))
    }

    const tokens = new Map<string, { key: string; offset: number; issuedAt: number }>()
    let rateLimited = 0

    const report = (kind: Report, request: SimulatorRequest): Reply => {
      const token = credentialsUnder(request.authorization, "Bearer")
      if (!oauth.accepts(token, request.receivedAt)) {
        return { status: 401, body: { code: 124, message: "Invalid access token." } }
      }
      if (rateLimited > 0) {
        rateLimited--
        return {
          status: 429,
          headers: {
            "X-RateLimit-Category": "Heavy",
            "X-RateLimit-Type": "QPS",
            "X-RateLimit-Limit": "10",
            "X-RateLimit-Remaining": "0",
          },
          body: {
            code: 429,
            message: "You have reached the maximum per-second rate limit for this API. Try again later.",
          },
        }
      }
      const params = request.url.searchParams
      const from = params.get("from") ?? ""
      const to = params.get("to") ?? ""
      const fromMs = Date.parse(`${from}T00:00:00Z`)
      const toMs = Date.parse(`${to}T00:00:00Z`) + DAY_MS
      if (
        !/^\d{4}-\d{2}-\d{2}$/.test(from) ||
        !/^\d{4}-\d{2}-\d{2}$/.test(to) ||
        Number.isNaN(fromMs + toMs)
      ) {
        return { status: 400, body: { code: 300, message: "Invalid date format, expected yyyy-mm-dd." } }
      }
      if (toMs - fromMs > 31 * DAY_MS || toMs <= fromMs) {
        return { status: 400, body: { code: 300, message: "The date range cannot exceed one month." } }
      }
      if (fromMs < request.receivedAt - 183 * DAY_MS) {
        return {
          status: 400,
          body: { code: 300, message: "Only reports from the last 6 months are available." },
        }
      }
      const pageSize = Math.min(300, Math.max(1, Number(params.get("page_size") ?? 30) || 30))
      const key = `${kind}|${from}|${to}|${pageSize}`
      let offset = 0
      const given = params.get("next_page_token")
      if (given) {
        const state = tokens.get(given)
        if (
          state === undefined ||
          state.key !== key ||
          request.receivedAt - state.issuedAt > TOKEN_LIFETIME_MS
        ) {
          return { status: 400, body: { code: 300, message: "The next page token is invalid or expired." } }
        }
        offset = state.offset
      }
      // Newest first: Zoom documents no order, and this one makes the connector's own sort matter.
      const rows = store
        .filter((entry) => entry.report === kind && entry.at >= fromMs && entry.at < toMs)
        .sort((a, b) => b.at - a.at)
        .map((entry) => entry.row)
      const page = rows.slice(offset, offset + pageSize)
      let nextToken = ""
      if (offset + pageSize < rows.length) {
        nextToken = newSecret(32)
        tokens.set(nextToken, { key, offset: offset + pageSize, issuedAt: request.receivedAt })
      }
      return {
        status: 200,
        body: {
          from,
          to,
          page_size: pageSize,
          total_records: rows.length,
          next_page_token: nextToken,
          [kind === "activities" ? "activity_logs" : "operation_logs"]: page,
        },
      }
    }

    const server = yield* serveSimulator({
      port: options.port,
      contentType: "application/json;charset=UTF-8",
      handle: (request) => {
        if (request.method !== "GET")
          return { status: 405, body: { code: 405, message: "Method Not Allowed" } }
        if (request.url.pathname === ACTIVITIES_PATH) return report("activities", request)
        if (request.url.pathname === OPERATION_LOGS_PATH) return report("operation_logs", request)
        return { status: 404, body: { code: 404, message: "Not Found" } }
      },
    })

    const rowsOf = (kind: Report) => store.filter((entry) => entry.report === kind).map((entry) => entry.row)
    const emitAt = (count: number, at = now()) =>
      Array.from({ length: count }, () => add("activities", signIn(at), at))
    return {
      integration: "zoom",
      baseUrl: server.origin,
      credentials: oauth.credentials,
      settings: { token_url: oauth.tokenUrl },
      oauth,
      requests: server.requests,
      rows: rowsOf,
      emitAt,
      emitOperations: (count) =>
        Array.from({ length: count }, () => {
          const at = now()
          return add("operation_logs", operation(at), at)
        }),
      inject: (kind, row, at = now()) => {
        add(kind, row, at)
      },
      forceRateLimited: (count) => {
        rateLimited += count
      },
      emit: (count) => {
        emitAt(count)
      },
      events: () => [...rowsOf("activities"), ...rowsOf("operation_logs")],
    } satisfies ZoomSimulatorHandle
  })
