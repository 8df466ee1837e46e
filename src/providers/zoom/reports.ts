import { Duration, Option, Schema } from "effect"
import type { ActivityStream } from "../ActivityStream.ts"
import type { ProviderCall } from "../ProviderCall.ts"
import { dateWindow, type WindowToken } from "../paging/dateWindow.ts"
import { clampLimit, type PageQuery } from "../paging/Paginator.ts"
import { operationLogToActivity, signInActivityToActivity } from "./toActivity.ts"
import { ZoomError, ZoomOperationLog, ZoomSignInActivity } from "./ZoomReportRows.ts"

export const ACTIVITIES_PATH = "/v2/report/activities"
export const OPERATION_LOGS_PATH = "/v2/report/operationlogs"

/** zoom.md §3: a request's `from`–`to` spans at most one month; 30 days never crosses that line. */
const MAX_WINDOW_MS = Duration.toMillis(Duration.days(30))
/** Reports reach back six months only; 180 days stays inside whatever month lengths make of it. */
const REPORT_RETENTION = Duration.days(180)
/** zoom.md §3: `page_size` defaults to 30, at most 300. */
const MAX_PAGE_SIZE = 300

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/**
 * Zoom filters by day only: the window `[from, to)` becomes the days it touches, both ends inclusive; the
 * machinery keeps only records inside the exact window, so overlapping days are never read twice.
 */
const reportRequest =
  (path: string) =>
  (query: PageQuery, token: string | undefined): ProviderCall => ({
    target: path,
    query: {
      from: day(query.from ?? query.now),
      to: day((query.to ?? query.now) - 1),
      page_size: String(clampLimit(query.limit, MAX_PAGE_SIZE)),
      next_page_token: token,
    },
  })

const rowsOf = (key: "activity_logs" | "operation_logs") => (body: unknown) => {
  if (typeof body !== "object" || body === null) return undefined
  const rows = (body as Record<string, unknown>)[key]
  const token = (body as Record<string, unknown>).next_page_token
  if (!Array.isArray(rows)) return undefined
  return { records: rows, token: typeof token === "string" ? token : undefined }
}

const describeError = (body: unknown) =>
  Option.match(Schema.decodeUnknownOption(ZoomError)(body), {
    onNone: () => ({}),
    onSome: (error) => ({ code: String(error.code), message: error.message }),
  })

const reportFacts = {
  order: "unsorted",
  // Page tokens expire after 15 minutes: each poll re-reads from the watermark's day (zoom.md §4).
  tail: { mode: "watermark" },
  historyRetention: REPORT_RETENTION,
  describeError,
} as const

/** `GET /v2/report/activities`: sign-ins and sign-outs. `action=login` keeps its `Sign in` rows (post-filter). */
export const signInActivities: ActivityStream<ZoomSignInActivity, WindowToken> = {
  ...reportFacts,
  name: "sign_in_activities",
  record: ZoomSignInActivity,
  toActivity: signInActivityToActivity,
  paging: dateWindow({
    integration: "zoom",
    maxWindowMs: MAX_WINDOW_MS,
    request: reportRequest(ACTIVITIES_PATH),
    read: rowsOf("activity_logs"),
  }),
  pushedDown: ["created_at"],
  paths: [ACTIVITIES_PATH],
}

/** `GET /v2/report/operationlogs`: user lifecycle and settings changes. Never a login, so `action` skips it. */
export const operationLogs: ActivityStream<ZoomOperationLog, WindowToken> = {
  ...reportFacts,
  name: "operation_logs",
  record: ZoomOperationLog,
  toActivity: operationLogToActivity,
  paging: dateWindow({
    integration: "zoom",
    maxWindowMs: MAX_WINDOW_MS,
    request: reportRequest(OPERATION_LOGS_PATH),
    read: rowsOf("operation_logs"),
  }),
  pushedDown: ["created_at"],
  canMatch: (filters) => filters.action === undefined,
  paths: [OPERATION_LOGS_PATH],
}
