import { Effect, Either, type Scope } from "effect"
import type { ZoomStream } from "../../providers/zoom/recordId.ts"
import { ACTIVITIES_PATH } from "../../providers/zoom/ZoomActivityLog.ts"
import type { ZoomError } from "../../providers/zoom/ZoomError.ts"
import { OPERATION_LOGS_PATH } from "../../providers/zoom/ZoomOperationLog.ts"
import type { Reply } from "../kit/Reply.ts"
import { RateLimitHeaders, rateLimitWindow } from "../kit/rateLimitWindow.ts"
import { type RequestReceived, requestLog } from "../kit/requestLog.ts"
import { type SimulatorRequest, serveSimulator } from "../kit/serveSimulator.ts"
import { simulatorClock } from "../kit/simulatorClock.ts"
import type { ProviderSimulator, SimulatorOptions } from "../ProviderSimulator.ts"
import { queryReport, type StoredRow } from "./reportQuery.ts"
import { type MalformedRow, reportRows } from "./reportRows.ts"
import {
  invalidAccessToken,
  TOKEN_PATH,
  type TokenRequestNote,
  type ZoomTokenIssuer,
  type ZoomTokenIssuerOptions,
  zoomTokenIssuer,
} from "./zoomTokenIssuer.ts"

export interface ZoomSimulatorOptions extends SimulatorOptions, ZoomTokenIssuerOptions {
  /** The Heavy per-second limit the report APIs share: Pro 10, Business+ 40. */
  readonly requestsPerSecond?: number
  /** The daily cap shared by Heavy and Resource-intensive APIs: Pro 30,000, Business+ 60,000. */
  readonly requestsPerDay?: number
  /** How far back the history reaches; three days unless given. */
  readonly historySpanMs?: number
  /**
   * How long before now the history ends (now unless given): a history wholly older than a reader's settle
   * window is read in full at once.
   */
  readonly historyEndsAgoMs?: number
}

/** The quota a report response reported, as its headers said it. */
export interface ZoomRateLimitReported {
  readonly type: "QPS" | "Daily-limit"
  readonly limit: number
  readonly remaining: number
}

/** What the request log keeps of a report request beyond the basics. */
interface ReportNote {
  readonly rateLimit: ZoomRateLimitReported
  /** Rows on the page, for a report answered 200. */
  readonly rows?: number
}

export type ZoomRateLimit = "per-second" | "daily"

export interface ZoomSimulatorHandle extends ProviderSimulator {
  readonly integration: "zoom"
  /** The Server-to-Server OAuth app it knows. */
  readonly credentials: ZoomTokenIssuer["credentials"]
  /** `token_url`: the simulator's own token endpoint, which the account must use instead of zoom.us. */
  readonly settings: { readonly token_url: string }
  readonly tokenUrl: string
  readonly activityLogs: () => ReadonlyArray<unknown>
  readonly operationLogs: () => ReadonlyArray<unknown>
  /** Every request, the token endpoint's too; a report request's with its note. */
  readonly requests: () => ReadonlyArray<RequestReceived<Partial<ReportNote>>>
  /** A token obtained elsewhere, accepted by the API; not counted as a token request. */
  readonly issueAccessToken: () => string
  /** Every token issued so far stops being accepted. */
  readonly revokeTokens: () => void
  /**
   * The next `count` report requests get a 429: per-second (`X-RateLimit-Type: QPS`), or the daily cap
   * (`Daily-limit`, with `Retry-After` at the next 00:00 UTC as a date-time).
   */
  readonly forceRateLimited: (count: number, limit?: ZoomRateLimit) => void
  /** Appends any raw row to a report, filed under `at` (now unless given): a late row when `at` is past. */
  readonly inject: (stream: ZoomStream, row: unknown, at?: number) => void
  /** Appends a generated row with one documented guarantee broken; returns it. */
  readonly injectMalformed: (stream: ZoomStream, flaw: MalformedRow) => unknown
}

type ZoomNote = TokenRequestNote | ReportNote

const DAY_MS = 86_400_000
const HISTORY_SPAN_MS = 3 * DAY_MS
const notFound: ZoomError = { code: 404, message: "Not Found" }
const perSecondRefusal: ZoomError = {
  code: 429,
  message: "You have reached the maximum per-second rate limit for this API. Try again later.",
}
/** Zoom's wording for a user's daily cap, said of the account's Heavy cap (that wording is not confirmed). */
const dailyRefusal = (limit: number): ZoomError => ({
  code: 429,
  message: `You have exceeded the daily rate limit (${limit}) of Heavy API requests permitted for this particular account. You may resume these requests at GMT 00:00:00.`,
})

/**
 * Zoom's sign-in/sign-out activity report and operation logs report over real HTTP on 127.0.0.1, behind
 * Zoom's Server-to-Server OAuth token endpoint: report calls need a Bearer token it issued, and share Zoom's
 * Heavy per-second and daily limits.
 */
export const startZoomSimulator = (
  options: ZoomSimulatorOptions = {},
): Effect.Effect<ZoomSimulatorHandle, never, Scope.Scope> =>
  Effect.gen(function* () {
    const now = yield* simulatorClock
    const issuer = zoomTokenIssuer(now, options)
    const rows = reportRows(options.seed ?? 1)
    const stores: Record<ZoomStream, Array<StoredRow>> = { activities: [], operation_logs: [] }
    let seq = 0
    const file = (stream: ZoomStream, row: unknown, at: number) => {
      stores[stream].push({ seq: ++seq, at, row })
    }
    for (const generated of rows.history(
      options.historySize ?? 50,
      now() - (options.historyEndsAgoMs ?? 0),
      options.historySpanMs ?? HISTORY_SPAN_MS,
    )) {
      file(generated.stream, generated.row, generated.at)
    }

    const perSecond = options.requestsPerSecond ?? 10
    const perDay = options.requestsPerDay ?? 30_000
    // The kit's fixed windows count; Zoom's own headers are written below (Zoom sends no reset header).
    const counter = (limit: number, windowMs: number) =>
      rateLimitWindow({ limit, windowMs, headers: RateLimitHeaders.xRateLimit, refusalBody: () => undefined })
    const secondWindow = counter(perSecond, 1000)
    // A day window starting at 00:00 UTC, when Zoom resets the daily cap.
    const dayWindow = counter(perDay, DAY_MS)
    // Forced here rather than through the kit, whose forced reset runs from the moment of forcing: Zoom's daily
    // reset is midnight whenever the request comes.
    let forcedDaily = 0

    const rateLimitHeaders = (reported: ZoomRateLimitReported) => ({
      "X-RateLimit-Category": "Heavy",
      "X-RateLimit-Type": reported.type,
      "X-RateLimit-Limit": String(reported.limit),
      "X-RateLimit-Remaining": String(reported.remaining),
    })

    const report = (stream: ZoomStream, request: SimulatorRequest): Reply<ZoomNote> => {
      if (request.method !== "GET") return { status: 405, body: { code: 405, message: "Method Not Allowed" } }
      if (!issuer.accepts(request.authorization, request.receivedAt)) {
        return { status: 401, body: invalidAccessToken }
      }
      const second = secondWindow.take(request.receivedAt)
      if (second.refusal) {
        const reported = { type: "QPS", limit: perSecond, remaining: 0 } as const
        return {
          status: 429,
          body: perSecondRefusal,
          headers: rateLimitHeaders(reported),
          note: { rateLimit: reported },
        }
      }
      const day = dayWindow.take(request.receivedAt)
      const dailyRefused = day.refusal !== undefined || forcedDaily > 0
      if (forcedDaily > 0) forcedDaily--
      // Whether Zoom reports the daily or the per-second quota on a success is not documented: the daily one
      // is what a client can pace itself by.
      const reported = {
        type: "Daily-limit",
        limit: perDay,
        remaining: dailyRefused ? 0 : day.quota.remaining,
      } as const
      if (dailyRefused) {
        return {
          status: 429,
          body: dailyRefusal(perDay),
          headers: {
            ...rateLimitHeaders(reported),
            // A date-time, as Zoom documents it for the daily limit: e.g. 2020-05-31T00:00:00Z.
            "Retry-After": new Date(day.quota.resetAt).toISOString().replace(".000Z", "Z"),
          },
          note: { rateLimit: reported },
        }
      }
      const answer = queryReport(stream, stores[stream], request.url.searchParams, request.receivedAt)
      return Either.match(answer, {
        onLeft: (error) => ({
          status: 400,
          body: error,
          headers: rateLimitHeaders(reported),
          note: { rateLimit: reported },
        }),
        onRight: (page) => ({
          status: 200,
          body: page.body,
          headers: rateLimitHeaders(reported),
          note: { rateLimit: reported, rows: page.rows },
        }),
      })
    }

    const server = yield* serveSimulator<ZoomNote>({
      port: options.port,
      contentType: "application/json;charset=UTF-8",
      handle: (request) => {
        switch (request.url.pathname) {
          case TOKEN_PATH:
            return issuer.tokenEndpoint(request)
          case ACTIVITIES_PATH:
            return report("activities", request)
          case OPERATION_LOGS_PATH:
            return report("operation_logs", request)
          default:
            return { status: 404, body: notFound }
        }
      },
    })

    const rowsOf = (stream: ZoomStream) => () => stores[stream].map((stored) => stored.row)
    return {
      integration: "zoom",
      baseUrl: server.origin,
      credentials: issuer.credentials,
      settings: { token_url: `${server.origin}${TOKEN_PATH}` },
      tokenUrl: `${server.origin}${TOKEN_PATH}`,
      emit: (count) => {
        for (const generated of rows.burst(count, now())) file(generated.stream, generated.row, generated.at)
      },
      events: () => [...rowsOf("activities")(), ...rowsOf("operation_logs")()],
      activityLogs: rowsOf("activities"),
      operationLogs: rowsOf("operation_logs"),
      requests: requestLog(
        server,
        ({ note }): Partial<ReportNote> => (note && "rateLimit" in note ? note : {}),
      ),
      issueAccessToken: issuer.mint,
      revokeTokens: issuer.revokeAll,
      forceRateLimited: (count, limit = "per-second") => {
        if (limit === "per-second") secondWindow.forceLimited(count, 1000)
        else forcedDaily = count
      },
      inject: (stream, row, at) => file(stream, row, at ?? now()),
      injectMalformed: (stream, flaw) => {
        const generated = rows.malformed(stream, flaw, now())
        file(stream, generated.row, generated.at)
        return generated.row
      },
    } satisfies ZoomSimulatorHandle
  })
