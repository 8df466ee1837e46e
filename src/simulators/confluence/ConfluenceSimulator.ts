import { Effect, type Scope } from "effect"
import { AUDIT_PAGE_SIZE_MAX } from "../../providers/confluence/ConfluenceAuditRecord.ts"
import { everyResponse, isSiteAdmin, siteCredentials, siteRateLimit } from "../jira/atlassianSite.ts"
import { historyTimes } from "../kit/historyTimes.ts"
import { nextPageHooks } from "../kit/nextPageHooks.ts"
import type { Reply } from "../kit/Reply.ts"
import { type RequestReceived, requestLog } from "../kit/requestLog.ts"
import { type SimulatorRequest, serveSimulator } from "../kit/serveSimulator.ts"
import { simulatorClock } from "../kit/simulatorClock.ts"
import type { ProviderSimulator, SimulatorOptions } from "../ProviderSimulator.ts"
import { confluenceRecordGenerator, type MalformedConfluenceRecord } from "./confluenceAuditRecords.ts"

// Confluence Cloud's audit records (REST v1 `GET /wiki/rest/api/audit`) over real HTTP on 127.0.0.1, as the
// reference documents them: `startDate`/`endDate` (epoch ms, both inclusive), `start` (offset), `limit`
// (default 1000, cut to the system limit, echoed), `searchString` (matches string values); answered
// `{results, start, limit, size, _links}` newest first, `size` the records on the page. Errors as Confluence
// writes them (`{statusCode, message}`). Rate limits: see ../jira/atlassianSite.ts.

export interface ConfluenceSimulatorOptions extends SimulatorOptions {
  /** Atlassian publishes no number; 600 a minute unless given. */
  readonly requestsPerMinute?: number
  /** The "fixed system limit" a page is cut to whatever `limit` asks; 1000 unless given. */
  readonly systemPageLimit?: number
  /** How far back the history reaches; six hours unless given. It ends five minutes before the start. */
  readonly historySpanMs?: number
}

export interface ConfluenceSimulatorHandle extends ProviderSimulator {
  readonly integration: "confluence"
  readonly credentials: { readonly email: string; readonly api_token: string }
  /** An OAuth 2.0 (3LO) access token it accepts as Bearer. */
  readonly accessToken: string
  readonly requests: () => ReadonlyArray<RequestReceived<Note>>
  /** The next `count` requests get a 429 whose reset (and `Retry-After`) is `resetInMs` ahead. */
  readonly forceRateLimited: (count: number, resetInMs?: number) => void
  /** Appends raw records filed at `at` (epoch ms). */
  readonly inject: (records: ReadonlyArray<unknown>, at: number) => void
  /** Generated records of `count` changes at `at`; returns them. */
  readonly emitAt: (count: number, at: number) => ReadonlyArray<Record<string, unknown>>
  /** A record with one documented guarantee broken, filed at `at`; returns it. */
  readonly injectMalformed: (flaw: MalformedConfluenceRecord, at: number) => unknown
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

const PATH = "/wiki/rest/api/audit"
const error = (statusCode: number, message: string) => ({ statusCode, message })

/** Whether any string value in the record, at any depth, contains `needle`. */
const hasString = (value: unknown, needle: string): boolean =>
  typeof value === "string"
    ? value.toLowerCase().includes(needle)
    : value !== null && typeof value === "object"
      ? Object.values(value).some((inner) => hasString(inner, needle))
      : false

export const startConfluenceSimulator = (
  options: ConfluenceSimulatorOptions = {},
): Effect.Effect<ConfluenceSimulatorHandle, never, Scope.Scope> =>
  Effect.gen(function* () {
    const now = yield* simulatorClock
    const credentials = siteCredentials()
    const generator = confluenceRecordGenerator(options.seed ?? 1)
    const store: StoredRecord[] = []
    let seq = 0
    const file = (record: unknown, at: number) => {
      store.push({ at, seq: ++seq, record: record as Record<string, unknown> })
    }
    const change = (at: number) => {
      const records = generator.change(at)
      for (const record of records) file(record, at)
      return records
    }

    for (const at of historyTimes(options, now())) change(at)

    const rateLimit = siteRateLimit({
      requestsPerMinute: options.requestsPerMinute ?? 600,
      refusalBody: () => error(429, "Rate limit exceeded"),
    })
    const systemLimit = options.systemPageLimit ?? AUDIT_PAGE_SIZE_MAX
    const nextPage = nextPageHooks()

    const page = (request: SimulatorRequest, headers: Record<string, string>): Reply<Note> => {
      const params = request.url.searchParams
      const number = (name: string): number | undefined => {
        const text = params.get(name)
        return text === null || text === "" ? undefined : /^\d+$/.test(text) ? Number(text) : Number.NaN
      }
      const start = number("start") ?? 0
      const asked = number("limit") ?? AUDIT_PAGE_SIZE_MAX
      const startDate = number("startDate")
      const endDate = number("endDate")
      if ([start, asked, startDate, endDate].some((value) => Number.isNaN(value))) {
        return {
          status: 400,
          body: error(400, "start, limit, startDate and endDate must be non-negative integers"),
          headers,
        }
      }
      const limit = Math.min(asked, systemLimit)
      const needle = (params.get("searchString") ?? "").toLowerCase()
      const matching = store
        .filter(
          (stored) =>
            (startDate === undefined || stored.at >= startDate) &&
            (endDate === undefined || stored.at <= endDate) &&
            (needle === "" || hasString(stored.record, needle)),
        )
        // Newest first by creationDate, as every real answer is.
        .sort((a, b) => b.at - a.at || b.seq - a.seq)
      const results = matching.slice(start, start + limit).map((stored) => stored.record)
      nextPage.run()
      const self = `${request.origin}${request.url.pathname}${request.url.search}`
      return {
        status: 200,
        body: {
          results,
          start,
          limit,
          size: results.length,
          _links: { base: `${request.origin}/wiki`, context: "/wiki", self },
        },
        headers,
        note: { records: results.length },
      }
    }

    const server = yield* serveSimulator<Note>({
      port: options.port,
      everyResponse,
      handle: (request) => {
        if (request.url.pathname !== PATH) return { status: 404, body: error(404, "Not Found") }
        if (request.method !== "GET") return { status: 405, body: error(405, "Method Not Allowed") }
        if (!isSiteAdmin(request.authorization, credentials)) {
          return {
            status: 401,
            body: error(401, "Client must be authenticated to access this resource."),
            headers: { "WWW-Authenticate": 'Basic realm="protected-area"' },
          }
        }
        const quota = rateLimit.take(request.receivedAt)
        if (quota.refusal) return quota.refusal
        return page(request, quota.headers)
      },
    })

    return {
      integration: "confluence",
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
        const record = generator.malformed(flaw, at)
        file(record, at)
        return record
      },
      afterNextPage: nextPage.add,
    } satisfies ConfluenceSimulatorHandle
  })
