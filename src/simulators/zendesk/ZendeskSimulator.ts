import { Effect, type Scope } from "effect"
import { basicCredentials, hasCredential, newSecret } from "../kit/authorization.ts"
import type { Reply } from "../kit/Reply.ts"
import { RateLimitHeaders, type RateLimitQuota, rateLimitWindow } from "../kit/rateLimitWindow.ts"
import { type RequestReceived, requestLog } from "../kit/requestLog.ts"
import { type SimulatorRequest, serveSimulator } from "../kit/serveSimulator.ts"
import { simulatorClock } from "../kit/simulatorClock.ts"
import type { ProviderSimulator, SimulatorOptions } from "../ProviderSimulator.ts"
import { listAuditLogs, type StoredRecord } from "./auditLogList.ts"
import { auditLogRecords, type MalformedRecord } from "./auditLogRecords.ts"

export interface ZendeskSimulatorOptions extends SimulatorOptions {
  /** Support API requests a minute: Team 200, Growth/Professional 400, Enterprise 700 (the default), Enterprise Plus 2,500. */
  readonly requestsPerMinute?: number
  /** The window's length; a minute, as Zendesk counts. */
  readonly rateLimitWindowMs?: number
  /** How far back the history reaches; three days unless given. */
  readonly historySpanMs?: number
}

export interface ZendeskSimulatorHandle extends ProviderSimulator {
  readonly integration: "zendesk"
  /** An admin's API token, sent as Basic `{email}/token:{api_token}`. */
  readonly credentials: { readonly email: string; readonly api_token: string }
  readonly settings: Readonly<Record<string, never>>
  /** An OAuth access token (scope `read`), accepted as Bearer. */
  readonly accessToken: string
  readonly staff: ReadonlyArray<{ readonly id: number; readonly name: string }>
  readonly auditLogs: () => ReadonlyArray<Readonly<Record<string, unknown>>>
  readonly requests: () => ReadonlyArray<RequestReceived<Note>>
  /** The next `count` requests get a 429 whose Retry-After says `resetInMs` (rounded up to seconds). */
  readonly forceRateLimited: (count: number, resetInMs?: number) => void
  /** Appends any raw record, filed under `at` (now unless given): a late record when `at` is past. */
  readonly inject: (record: Record<string, unknown>, at?: number) => void
  readonly injectMalformed: (flaw: MalformedRecord) => Record<string, unknown>
}

interface Note {
  /** Every query parameter in order, repeated ones (`filter[created_at][]`) included. */
  readonly params: ReadonlyArray<readonly [string, string]>
  /** The quota the answer reported. */
  readonly rateLimit?: RateLimitQuota
  /** Records on the page, for a list answered 200. */
  readonly records?: number
}

const DAY_MS = 86_400_000
const LIST_PATH = /^\/api\/v2\/audit_logs(?:\.json)?$/
const SHOW_PATH = /^\/api\/v2\/audit_logs\/(\d+)(?:\.json)?$/
/** Zendesk's 429 body is plain text; the kit writes every body as JSON, so this goes out as a JSON string. */
const RATE_LIMITED = "Number of allowed API requests per minute exceeded"

/**
 * A Zendesk Support account (Enterprise) over real HTTP on 127.0.0.1: the Audit Logs API with its filters,
 * cursor and offset pagination, Basic API-token and Bearer authentication, the account's per-minute limit in
 * `X-Rate-Limit`/`ratelimit-*` headers and its 429 with `Retry-After`.
 */
export const startZendeskSimulator = (
  options: ZendeskSimulatorOptions = {},
): Effect.Effect<ZendeskSimulatorHandle, never, Scope.Scope> =>
  Effect.gen(function* () {
    const now = yield* simulatorClock
    const email = "admin@acme.example"
    const apiToken = newSecret(30)
    const accessToken = newSecret(48)
    const perMinute = options.requestsPerMinute ?? 700
    const window = rateLimitWindow({
      limit: perMinute,
      windowMs: options.rateLimitWindowMs ?? 60_000,
      headers: RateLimitHeaders.ietfDraft,
      retryAfter: true,
      refusalBody: () => RATE_LIMITED,
    })

    const store: Array<StoredRecord> = []
    let seq = 0
    const file = (record: Record<string, unknown>, at: number) => {
      store.push({ seq: ++seq, at, record })
    }
    let origin = ""

    const authenticated = ({ authorization }: SimulatorRequest) => {
      const basic = basicCredentials(authorization)
      return (
        (basic?.userId === `${email}/token` && basic.password === apiToken) ||
        hasCredential(authorization, "Bearer", accessToken)
      )
    }

    const handle = (request: SimulatorRequest): Reply<Note> => {
      const params = [...request.url.searchParams]
      const verdict = window.take(request.receivedAt)
      // Both families Zendesk's list endpoints send: the account-wide X-Rate-Limit pair and the IETF draft trio.
      const headers = {
        ...verdict.headers,
        "X-Rate-Limit": String(verdict.quota.limit),
        "X-Rate-Limit-Remaining": String(verdict.quota.remaining),
      }
      const reply = (status: number, body: unknown, records?: number): Reply<Note> => ({
        status,
        body,
        headers,
        note: { params, rateLimit: verdict.quota, ...(records === undefined ? {} : { records }) },
      })
      if (verdict.refusal) {
        return {
          ...verdict.refusal,
          headers: { ...headers, ...verdict.refusal.headers },
          note: { params, rateLimit: verdict.quota },
        }
      }
      const list = LIST_PATH.test(request.url.pathname)
      const show = SHOW_PATH.exec(request.url.pathname)
      if (!list && show === null) return reply(404, { error: "InvalidEndpoint", description: "Not found" })
      if (!authenticated(request)) return reply(401, { error: "Couldn't authenticate you" })
      if (request.method !== "GET")
        return reply(405, { error: "MethodNotAllowed", description: "Method Not Allowed" })
      if (show !== null) {
        const found = store.find((stored) => String(stored.record.id) === show[1])
        return found === undefined
          ? reply(404, { error: "RecordNotFound", description: "Not found" })
          : reply(200, { audit_log: found.record })
      }
      const answer = listAuditLogs(store, request.url, origin)
      return reply(answer.status, answer.body, answer.records)
    }

    const server = yield* serveSimulator<Note>({
      port: options.port,
      contentType: "application/json; charset=utf-8",
      everyResponse: () => ({ "X-Zendesk-API-Version": "v2" }),
      handle,
    })
    origin = server.origin
    // Records name the account's origin (their `url`), known only now that it listens.
    const records = auditLogRecords(options.seed ?? 1, origin)
    for (const generated of records.history(
      options.historySize ?? 50,
      now(),
      options.historySpanMs ?? 3 * DAY_MS,
    )) {
      file(generated.record, generated.at)
    }

    return {
      integration: "zendesk",
      baseUrl: server.origin,
      credentials: { email, api_token: apiToken },
      settings: {},
      accessToken,
      staff: records.staff,
      emit: (count) => {
        for (const generated of records.burst(count, now())) file(generated.record, generated.at)
      },
      events: () => store.map((stored) => stored.record),
      auditLogs: () => store.map((stored) => stored.record),
      requests: requestLog(server, (r): Note => r.note ?? { params: [] }),
      forceRateLimited: window.forceLimited,
      inject: (record, at) => file(record, at ?? now()),
      injectMalformed: (flaw) => {
        const generated = records.malformed(flaw, now())
        file(generated.record, generated.at)
        return generated.record
      },
    } satisfies ZendeskSimulatorHandle
  })
