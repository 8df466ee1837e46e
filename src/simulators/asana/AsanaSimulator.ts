import { Effect, type Scope } from "effect"
import { credentialsUnder, newSecret } from "../kit/authorization.ts"
import type { Reply } from "../kit/Reply.ts"
import { RateLimitHeaders, rateLimitWindow } from "../kit/rateLimitWindow.ts"
import { type RequestReceived, requestLog } from "../kit/requestLog.ts"
import { type SimulatorRequest, serveSimulator } from "../kit/serveSimulator.ts"
import { simulatorClock } from "../kit/simulatorClock.ts"
import type { ProviderSimulator, SimulatorOptions } from "../ProviderSimulator.ts"
import { asanaErrors, queryAuditLog, type StoredEvent } from "./auditLogQuery.ts"
import { auditLogRecords, type MalformedRecord } from "./auditLogRecords.ts"

// An Asana Enterprise domain's Audit Log API over real HTTP on 127.0.0.1: `GET /api/1.0/workspaces/{gid}/
// audit_log_events` behind `Authorization: Bearer <Service Account token>`, Asana's error envelope
// (`{"errors":[{"message","help"}]}`), the per-token per-minute quota (1,500 on paid domains, which the audit
// log needs) refused with 429 and `Retry-After` only (Asana documents no X-RateLimit headers). Chosen here:
// another workspace's gid answers 403, a gid that is not one 400, as Asana answers objects it does not let
// the token see.

export interface AsanaSimulatorOptions extends SimulatorOptions {
  /** Requests a minute per token: 1,500 (paid domains) unless given; free domains get 150. */
  readonly requestsPerMinute?: number
  /** How far back the history reaches; a day unless given. */
  readonly historySpanMs?: number
  /**
   * False: a page after which no more events match has `next_page` null, as Asana's pagination guide words it
   * for every endpoint (developers.asana.com/docs/pagination), instead of the offset the audit log reference
   * says keeps coming once one was sent (getAuditLogEvents). True unless given.
   */
  readonly nextPageWhenDone?: boolean
}

export interface AsanaSimulatorHandle extends ProviderSimulator {
  readonly integration: "asana"
  readonly credentials: { readonly access_token: string }
  readonly settings: { readonly organization_id: string }
  readonly workspaceGid: string
  readonly people: ReadonlyArray<{ readonly gid: string; readonly name: string; readonly email: string }>
  readonly requests: () => ReadonlyArray<RequestReceived<Note>>
  /** The next `count` requests get a 429 whose Retry-After says `resetInMs` (rounded up to seconds). */
  readonly forceRateLimited: (count: number, resetInMs?: number) => void
  /** Every offset handed out so far is refused from now on (400), as an expired one is. */
  readonly expireOffsets: () => void
  /** Appends any raw event as captured now; its own `created_at` may be older (captured late). */
  readonly inject: (record: Record<string, unknown>) => void
  readonly injectMalformed: (flaw: MalformedRecord) => Record<string, unknown>
}

interface Note {
  /** Events on the page, for a read answered 200. */
  readonly events?: number
}

const PATH = /^\/api\/1\.0\/workspaces\/([^/]+)\/audit_log_events$/
const RATE_LIMITED =
  "You've made too many requests and hit a rate limit. Please retry after the given amount of time."

export const startAsanaSimulator = (
  options: AsanaSimulatorOptions = {},
): Effect.Effect<AsanaSimulatorHandle, never, Scope.Scope> =>
  Effect.gen(function* () {
    const now = yield* simulatorClock
    const workspaceGid = `1201${String(options.seed ?? 1).padStart(12, "0")}`
    // A Service Account token has a personal access token's form: `2/<user gid>/<token gid>:<secret>`.
    const token = `2/1204${String(options.seed ?? 1).padStart(12, "0")}/1206${String(Date.now()).slice(-12)}:${newSecret(24)}`
    const quota = rateLimitWindow({
      limit: options.requestsPerMinute ?? 1500,
      windowMs: 60_000,
      // The kit always computes headers; Asana sends none of them, so only the refusal is used.
      headers: RateLimitHeaders.xRateLimit,
      retryAfter: true,
      refusalBody: () => asanaErrors(RATE_LIMITED),
    })
    const records = auditLogRecords(options.seed ?? 1, { gid: workspaceGid, name: "Acme Corp" })
    const store: Array<StoredEvent> = []
    const file = (record: Record<string, unknown>) => {
      const time = typeof record.created_at === "string" ? Date.parse(record.created_at) : Number.NaN
      store.push({ seq: store.length + 1, at: time, record })
    }
    for (const generated of records.history(
      options.historySize ?? 50,
      now(),
      options.historySpanMs ?? 86_400_000,
    )) {
      file(generated.record)
    }
    let generation = 0

    const handle = (request: SimulatorRequest): Reply<Note> => {
      const { url, method, authorization } = request
      const match = PATH.exec(url.pathname)
      if (match === null) return { status: 404, body: asanaErrors("No matching route for request") }
      if (credentialsUnder(authorization, "Bearer") !== token) {
        return { status: 401, body: asanaErrors("Not Authorized") }
      }
      const verdict = quota.take(request.receivedAt)
      if (verdict.refusal) {
        const { status, body, headers } = verdict.refusal
        return { status, body, ...(headers === undefined ? {} : { headers }) }
      }
      if (method !== "GET") return { status: 404, body: asanaErrors("No matching route for request") }
      const gid = decodeURIComponent(match[1] as string)
      if (!/^\d+$/.test(gid)) return { status: 400, body: asanaErrors("workspace: Not a valid gid.") }
      if (gid !== workspaceGid) {
        return {
          status: 403,
          body: asanaErrors("You do not have access to the audit log of this workspace."),
        }
      }
      const answer = queryAuditLog(
        store,
        url.searchParams,
        generation,
        { origin: request.origin, workspaceGid },
        options.nextPageWhenDone,
      )
      return {
        status: answer.status,
        body: answer.body,
        ...(answer.events === undefined ? {} : { note: { events: answer.events } }),
      }
    }

    const server = yield* serveSimulator<Note>({
      port: options.port,
      contentType: "application/json; charset=UTF-8",
      everyResponse: () => ({ "X-Asana-Request-Id": newSecret(12) }),
      handle,
    })

    return {
      integration: "asana",
      baseUrl: server.origin,
      credentials: { access_token: token },
      settings: { organization_id: workspaceGid },
      workspaceGid,
      people: records.people,
      emit: (count) => {
        for (const generated of records.burst(count, now())) file(generated.record)
      },
      events: () => store.map((stored) => stored.record),
      requests: requestLog(server),
      forceRateLimited: quota.forceLimited,
      expireOffsets: () => {
        generation++
      },
      inject: (record) => file(record),
      injectMalformed: (flaw) => {
        const generated = records.malformed(flaw, now())
        file(generated.record)
        return generated.record
      },
    } satisfies AsanaSimulatorHandle
  })
