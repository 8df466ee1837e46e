import { Effect, type Scope } from "effect"
import { AUDIT_PAGE_SIZE_MAX } from "../../providers/jira/JiraAuditRecord.ts"
import { historyTimes } from "../kit/historyTimes.ts"
import { nextPageHooks } from "../kit/nextPageHooks.ts"
import type { Reply } from "../kit/Reply.ts"
import { type RequestReceived, requestLog } from "../kit/requestLog.ts"
import { type SimulatorRequest, serveSimulator } from "../kit/serveSimulator.ts"
import { simulatorClock } from "../kit/simulatorClock.ts"
import type { ProviderSimulator, SimulatorOptions } from "../ProviderSimulator.ts"
import { everyResponse, isSiteAdmin, siteCredentials, siteRateLimit } from "./atlassianSite.ts"
import { jiraRecordGenerator, type MalformedJiraRecord } from "./jiraAuditRecords.ts"

// Jira Cloud's audit records (`GET /rest/api/3/auditing/record`, v2 path alike) over real HTTP on 127.0.0.1,
// as the reference documents them: `offset` (default 0), `limit` (default and maximum 1000), `from`/`to`
// (date-times, both inclusive; `from` not before `to` → nothing), `filter` (space-separated terms, each
// matching one of the documented fields); answered `{offset, limit, total, records}` newest first. 401 and
// 400 carry Jira's ErrorCollection. Rate limits: see atlassianSite.ts.

export interface JiraSimulatorOptions extends SimulatorOptions {
  /** Atlassian publishes no number; 600 a minute unless given. */
  readonly requestsPerMinute?: number
  /** How far back the history reaches; six hours unless given. It ends five minutes before the start. */
  readonly historySpanMs?: number
}

export interface JiraSimulatorHandle extends ProviderSimulator {
  readonly integration: "jira"
  readonly credentials: { readonly email: string; readonly api_token: string }
  /** An OAuth 2.0 (3LO) access token it accepts as Bearer. */
  readonly accessToken: string
  readonly requests: () => ReadonlyArray<RequestReceived<Note>>
  /** The next `count` requests get a 429 whose reset (and `Retry-After`) is `resetInMs` ahead. */
  readonly forceRateLimited: (count: number, resetInMs?: number) => void
  /** Appends raw records created at `at` (epoch ms, the record's own time); ids are the caller's. */
  readonly inject: (records: ReadonlyArray<unknown>, at: number) => void
  /** Generated records of `count` changes at `at`, with fresh ids; returns them. */
  readonly emitAt: (count: number, at: number) => ReadonlyArray<Record<string, unknown>>
  /** A record with one documented guarantee broken, created at `at`; returns it. */
  readonly injectMalformed: (flaw: MalformedJiraRecord, at: number) => unknown
  /** Runs `effect` once, right after the next page answered 200: records arriving between two pages. */
  readonly afterNextPage: (effect: () => void) => void
}

interface Note {
  /** Records on the page, for a read answered 200. */
  readonly records?: number
}

interface StoredRecord {
  readonly at: number
  readonly seq: number
  readonly record: Record<string, unknown>
}

const PATHS = new Set(["/rest/api/3/auditing/record", "/rest/api/2/auditing/record"])
const errorCollection = (...errorMessages: string[]) => ({ errorMessages, errors: {} })

/** `+0000` read as `+00:00`; a date-time without a zone as UTC (the real site would use its own zone). */
const parseDateTime = (text: string): number =>
  Date.parse(text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2").replace(/T(\d{2}:\d{2}(:\d{2}(\.\d+)?)?)$/, "T$1Z"))

const FILTERED_FIELDS = (record: Record<string, unknown>): string[] => {
  const object = (record.objectItem ?? {}) as Record<string, unknown>
  const changes = (Array.isArray(record.changedValues) ? record.changedValues : []) as Array<
    Record<string, unknown>
  >
  return [
    record.summary,
    record.category,
    record.eventSource,
    object.name,
    object.parentName,
    object.typeName,
    ...changes.flatMap((change) => [change.changedFrom, change.changedTo]),
    record.remoteAddress,
  ].filter((value): value is string => typeof value === "string")
}

export const startJiraSimulator = (
  options: JiraSimulatorOptions = {},
): Effect.Effect<JiraSimulatorHandle, never, Scope.Scope> =>
  Effect.gen(function* () {
    const now = yield* simulatorClock
    const credentials = siteCredentials()
    const generator = jiraRecordGenerator(options.seed ?? 1)
    const store: StoredRecord[] = []
    let seq = 0
    let lastId = 10_000
    const nextId = () => ++lastId
    const file = (record: unknown, at: number) => {
      store.push({ at, seq: ++seq, record: record as Record<string, unknown> })
    }
    const change = (at: number) => {
      const records = generator.change(at, nextId)
      for (const record of records) file(record, at)
      return records
    }

    for (const at of historyTimes(options, now())) change(at)

    const rateLimit = siteRateLimit({
      requestsPerMinute: options.requestsPerMinute ?? 600,
      refusalBody: () => errorCollection("Rate limit exceeded."),
    })
    const nextPage = nextPageHooks()

    const page = (request: SimulatorRequest, headers: Record<string, string>): Reply<Note> => {
      const params = request.url.searchParams
      const int = (name: string, fallback: number) => {
        const text = params.get(name)
        return text === null || text === "" ? fallback : /^\d+$/.test(text) ? Number(text) : Number.NaN
      }
      const offset = int("offset", 0)
      const asked = int("limit", AUDIT_PAGE_SIZE_MAX)
      if (Number.isNaN(offset) || Number.isNaN(asked)) {
        return { status: 400, body: errorCollection("The offset and limit must be integers."), headers }
      }
      const limit = Math.min(AUDIT_PAGE_SIZE_MAX, asked)
      const bound = (name: "from" | "to") => {
        const text = params.get(name)
        return text === null || text === "" ? undefined : parseDateTime(text)
      }
      const from = bound("from")
      const to = bound("to")
      if (Number.isNaN(from) || Number.isNaN(to)) {
        return {
          status: 400,
          body: errorCollection("The from and to dates must be ISO 8601 date-times."),
          headers,
        }
      }
      const terms = (params.get("filter") ?? "").toLowerCase().split(/\s+/).filter(Boolean)
      const matching =
        from !== undefined && to !== undefined && from >= to
          ? []
          : store
              .filter(
                (stored) =>
                  (from === undefined || stored.at >= from) &&
                  (to === undefined || stored.at <= to) &&
                  terms.every((term) =>
                    FILTERED_FIELDS(stored.record).some((v) => v.toLowerCase().includes(term)),
                  ),
              )
              // Newest first, as every real answer is; records of one millisecond by id, highest first.
              .sort((a, b) => b.at - a.at || b.seq - a.seq)
      const records = matching.slice(offset, offset + limit).map((stored) => stored.record)
      nextPage.run()
      return {
        status: 200,
        body: { offset, limit, total: matching.length, records },
        headers,
        note: { records: records.length },
      }
    }

    const server = yield* serveSimulator<Note>({
      port: options.port,
      contentType: "application/json;charset=UTF-8",
      everyResponse,
      handle: (request) => {
        if (!PATHS.has(request.url.pathname)) {
          return { status: 404, body: errorCollection("Not Found") }
        }
        if (request.method !== "GET") return { status: 405, body: errorCollection("Method Not Allowed") }
        if (!isSiteAdmin(request.authorization, credentials)) {
          return {
            status: 401,
            body: errorCollection(
              "You are not authenticated. Authentication required to perform this operation.",
            ),
            headers: { "WWW-Authenticate": 'Basic realm="protected-area"' },
          }
        }
        const quota = rateLimit.take(request.receivedAt)
        if (quota.refusal) return quota.refusal
        return page(request, quota.headers)
      },
    })

    return {
      integration: "jira",
      baseUrl: server.origin,
      credentials: { email: credentials.email, api_token: credentials.api_token },
      settings: {},
      accessToken: credentials.accessToken,
      emit: (count) => {
        for (let i = 0; i < count; i++) change(now())
      },
      events: () => store.map((stored) => stored.record),
      requests: requestLog(server),
      forceRateLimited: rateLimit.forceLimited,
      inject: (records, at) => {
        for (const record of records) file(record, at)
      },
      emitAt: (count, at) => Array.from({ length: count }, () => change(at)).flat(),
      injectMalformed: (flaw, at) => {
        const record = generator.malformed(flaw, at, nextId())
        file(record, at)
        return record
      },
      afterNextPage: nextPage.add,
    } satisfies JiraSimulatorHandle
  })
