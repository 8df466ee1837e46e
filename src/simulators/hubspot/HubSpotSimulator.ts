import { randomUUID } from "node:crypto"
import { Effect, type Scope } from "effect"
import { credentialsUnder, newSecret } from "../kit/authorization.ts"
import type { Reply } from "../kit/Reply.ts"
import { RateLimitHeaders, type RateLimitQuota, rateLimitWindow } from "../kit/rateLimitWindow.ts"
import { type RequestReceived, requestLog } from "../kit/requestLog.ts"
import { type SimulatorRequest, serveSimulator } from "../kit/serveSimulator.ts"
import { simulatorClock } from "../kit/simulatorClock.ts"
import type { ProviderSimulator, SimulatorOptions } from "../ProviderSimulator.ts"
import { listActivity, type StoredRecord } from "./activityList.ts"
import { activityRecords, type MalformedRecord } from "./activityRecords.ts"
import { listAuditLog } from "./auditLogList.ts"
import { auditLogRecords } from "./auditLogRecords.ts"

export interface HubSpotSimulatorOptions extends SimulatorOptions {
  /** Requests per rolling interval: 100 on Free/Starter, 190 on Professional/Enterprise (the default). */
  readonly requestsPerInterval?: number
  /** The interval; ten seconds, as HubSpot counts. */
  readonly intervalMs?: number
  /** How far back the history reaches; three days unless given. */
  readonly historySpanMs?: number
  /**
   * An Enterprise portal (the default) serves the audit log, and its `settings` turn it on; any other answers
   * the audit log with 403 and its `settings` leave it off.
   */
  readonly enterprise?: boolean
}

export interface HubSpotSimulatorHandle extends ProviderSimulator {
  readonly integration: "hubspot"
  /** An OAuth refresh token with the app's client id and secret, exchanged at `settings.token_url`. */
  readonly credentials: {
    readonly refresh_token: string
    readonly client_id: string
    readonly client_secret: string
  }
  readonly settings: { readonly token_url: string; readonly audit_logs?: "true" }
  /** A private app's access token, accepted as Bearer. */
  readonly accessToken: string
  readonly users: ReadonlyArray<{ readonly id: number; readonly email: string }>
  readonly logins: () => ReadonlyArray<Readonly<Record<string, unknown>>>
  readonly securityActions: () => ReadonlyArray<Readonly<Record<string, unknown>>>
  readonly auditEvents: () => ReadonlyArray<Readonly<Record<string, unknown>>>
  readonly requests: () => ReadonlyArray<RequestReceived<Note>>
  /** The next `count` API requests get HubSpot's TEN_SECONDLY_ROLLING 429. */
  readonly forceRateLimited: (count: number) => void
  /** Appends a login (or security action) record with these fields, filed at `at` (now unless given). */
  readonly injectLogin: (fields?: Record<string, unknown>, at?: number) => Record<string, unknown>
  readonly injectSecurity: (fields?: Record<string, unknown>, at?: number) => Record<string, unknown>
  readonly injectAudit: (fields?: Record<string, unknown>, at?: number) => Record<string, unknown>
  readonly injectMalformed: (flaw: MalformedRecord) => Record<string, unknown>
}

interface Note {
  /** Every query parameter in order, repeated ones included. */
  readonly params: ReadonlyArray<readonly [string, string]>
  readonly rateLimit?: RateLimitQuota
  readonly records?: number
}

const DAY_MS = 86_400_000
const LOGIN_PATH = "/account-info/v3/activity/login"
const SECURITY_PATH = "/account-info/v3/activity/security"
const AUDIT_LOGS_PATH = "/account-info/v3/activity/audit-logs"
const TOKEN_PATH = "/oauth/v1/token"
/** Private apps' daily budget on Professional. */
const DAILY_LIMIT = 650_000

const error = (category: string, message: string) => ({
  status: "error",
  message,
  correlationId: randomUUID(),
  category,
})

/**
 * A HubSpot portal over real HTTP on 127.0.0.1: the account activity API's login history and security activity
 * (`limit`/`after` paging, `userId`, `fromTimestamp`/`toTimestamp`) and, on an Enterprise portal, the audit log
 * (`occurredAfter`/`occurredBefore`, `actingUserId`, oldest first; 403 on any other tier), Bearer authentication with a private-app
 * token or an OAuth access token from its own `/oauth/v1/token` (refresh-token grant, client id and secret as form
 * fields), and the rolling limit in `X-HubSpot-RateLimit-*` headers with its 429 (no `Retry-After`).
 */
export const startHubSpotSimulator = (
  options: HubSpotSimulatorOptions = {},
): Effect.Effect<HubSpotSimulatorHandle, never, Scope.Scope> =>
  Effect.gen(function* () {
    const now = yield* simulatorClock
    const privateAppToken = `pat-na1-${newSecret(24)}`
    const clientId = randomUUID()
    const clientSecret = randomUUID()
    const refreshToken = `na1-${newSecret(24)}`
    const issued = new Set<string>()
    const intervalMs = options.intervalMs ?? 10_000
    const window = rateLimitWindow({
      limit: options.requestsPerInterval ?? 190,
      windowMs: intervalMs,
      // Only the quota is used: HubSpot's headers are written below, since HubSpot sends no reset.
      headers: RateLimitHeaders.xRateLimit,
      refusalBody: () => ({
        status: "error",
        message: "You have reached your ten_secondly_rolling limit.",
        errorType: "RATE_LIMIT",
        correlationId: randomUUID(),
        policyName: "TEN_SECONDLY_ROLLING",
        requestId: randomUUID(),
      }),
    })
    let dailyUsed = 0

    const logins: Array<StoredRecord> = []
    const security: Array<StoredRecord> = []
    const audit: Array<StoredRecord> = []
    const enterprise = options.enterprise ?? true
    let seq = 0
    const fileAudit = (at: number, record: Record<string, unknown>) => {
      audit.push({ seq: ++seq, at, record })
      return record
    }
    const file = (generated: {
      stream: "login" | "security"
      at: number
      record: Record<string, unknown>
    }) => {
      ;(generated.stream === "login" ? logins : security).push({
        seq: ++seq,
        at: generated.at,
        record: generated.record,
      })
      return generated.record
    }

    const tokenEndpoint = (request: SimulatorRequest): Reply<Note> => {
      const form = new URLSearchParams(request.body)
      const note = { params: [] }
      if (request.method !== "POST")
        return { status: 405, body: error("METHOD_NOT_ALLOWED", "Use POST"), note }
      if (form.get("grant_type") !== "refresh_token") {
        return {
          status: 400,
          body: { status: "BAD_GRANT_TYPE", message: "grant_type must be refresh_token" },
          note,
        }
      }
      if (form.get("client_id") !== clientId || form.get("client_secret") !== clientSecret) {
        return {
          status: 400,
          body: { status: "BAD_CLIENT_ID", message: "missing or invalid client id or secret" },
          note,
        }
      }
      if (form.get("refresh_token") !== refreshToken) {
        return {
          status: 400,
          body: { status: "BAD_REFRESH_TOKEN", message: "missing or unknown refresh token" },
          note,
        }
      }
      const accessToken = `CJ${newSecret(32)}`
      issued.add(accessToken)
      return {
        status: 200,
        body: {
          token_type: "bearer",
          refresh_token: refreshToken,
          access_token: accessToken,
          expires_in: 1800,
        },
        note,
      }
    }

    const handle = (request: SimulatorRequest): Reply<Note> => {
      const params = [...request.url.searchParams]
      if (request.url.pathname === TOKEN_PATH) return tokenEndpoint(request)
      const verdict = window.take(request.receivedAt)
      dailyUsed++
      const headers = {
        "X-HubSpot-RateLimit-Interval-Milliseconds": String(intervalMs),
        "X-HubSpot-RateLimit-Max": String(verdict.quota.limit),
        "X-HubSpot-RateLimit-Remaining": String(verdict.quota.remaining),
        "X-HubSpot-RateLimit-Daily": String(DAILY_LIMIT),
        "X-HubSpot-RateLimit-Daily-Remaining": String(Math.max(0, DAILY_LIMIT - dailyUsed)),
      }
      const reply = (status: number, body: unknown, records?: number): Reply<Note> => ({
        status,
        body,
        headers,
        note: { params, rateLimit: verdict.quota, ...(records === undefined ? {} : { records }) },
      })
      if (verdict.refusal) return reply(429, verdict.refusal.body)
      const path = request.url.pathname
      if (path !== LOGIN_PATH && path !== SECURITY_PATH && path !== AUDIT_LOGS_PATH) {
        return reply(404, error("OBJECT_NOT_FOUND", `No route for ${request.method} ${path}`))
      }
      const token = credentialsUnder(request.authorization, "Bearer")
      if (token === undefined || (token !== privateAppToken && !issued.has(token))) {
        return reply(
          401,
          error(
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
          ),
        )
      }
      if (request.method !== "GET") return reply(405, error("METHOD_NOT_ALLOWED", "Method Not Allowed"))
      if (path === AUDIT_LOGS_PATH && !enterprise) {
        // HubSpot documents the tier, not the body: its error shape, with a category of our choosing.
        return reply(403, error("FORBIDDEN", "The audit logs API is available for Enterprise accounts only."))
      }
      const answer =
        path === LOGIN_PATH
          ? listActivity(logins, request.url, request.origin, false)
          : path === SECURITY_PATH
            ? listActivity(security, request.url, request.origin, true)
            : listAuditLog(audit, request.url, request.origin)
      return reply(answer.status, answer.body, answer.records)
    }

    const server = yield* serveSimulator<Note>({
      port: options.port,
      contentType: "application/json;charset=utf-8",
      everyResponse: () => ({ "X-HubSpot-Correlation-Id": randomUUID() }),
      handle,
    })
    const records = activityRecords(options.seed ?? 1)
    const historySize = options.historySize ?? 50
    const historySpanMs = options.historySpanMs ?? 3 * DAY_MS
    for (const generated of records.history(historySize, now(), historySpanMs)) file(generated)
    const auditRecords = auditLogRecords(options.seed ?? 1, records.users)
    for (const { at, record } of auditRecords.history(Math.ceil(historySize / 2), now(), historySpanMs))
      fileAudit(at, record)

    return {
      integration: "hubspot",
      baseUrl: server.origin,
      credentials: { refresh_token: refreshToken, client_id: clientId, client_secret: clientSecret },
      settings: {
        token_url: `${server.origin}${TOKEN_PATH}`,
        ...(enterprise ? { audit_logs: "true" as const } : {}),
      },
      accessToken: privateAppToken,
      users: records.users,
      emit: (count) => {
        const at = now()
        for (let n = 0; n < count; n++) {
          if (auditRecords.now()) fileAudit(at, auditRecords.event(at))
          else for (const generated of records.burst(1, at)) file(generated)
        }
      },
      events: () => [...logins, ...security, ...audit].map((stored) => stored.record),
      logins: () => logins.map((stored) => stored.record),
      securityActions: () => security.map((stored) => stored.record),
      auditEvents: () => audit.map((stored) => stored.record),
      requests: requestLog(server, (r): Note => r.note ?? { params: [] }),
      forceRateLimited: (count) => window.forceLimited(count, intervalMs),
      injectLogin: (fields, at) => file(records.login(at ?? now(), fields)),
      injectSecurity: (fields, at) => file(records.security(at ?? now(), fields)),
      injectAudit: (fields, at) => fileAudit(at ?? now(), auditRecords.event(at ?? now(), fields)),
      injectMalformed: (flaw) => file(records.malformed(flaw, now())),
    } satisfies HubSpotSimulatorHandle
  })
