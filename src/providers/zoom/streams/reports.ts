import { Duration, Option, Schema } from "effect"
import type { ProviderCall } from "../../ProviderCall.ts"
import { clampLimit, type PageQuery } from "../../paging/Paginator.ts"
import { ZoomActivityLogsPage } from "../ZoomActivityLog.ts"
import { ZoomError } from "../ZoomError.ts"
import { ZoomOperationLogsPage } from "../ZoomOperationLog.ts"

/** Zoom's largest `page_size` for the report endpoints. */
export const REPORT_PAGE_SIZE_MAX = 300

/**
 * Zoom's report reference (https://developers.zoom.us/docs/api/meetings/#tag/reports): a request's `from`–`to`
 * spans at most one month; 30 days never crosses that line.
 */
export const MAX_WINDOW_MS = Duration.toMillis(Duration.days(30))
/** Reports reach back six months only; 180 days stays inside whatever month lengths make of it. */
const REPORT_RETENTION = Duration.days(180)

/**
 * How long after its time a report row is assumed listed: reads end this far before now, so a row Zoom lists
 * after a newer one was read is still ahead of the watermark. Zoom states no delay for the sign-in/out or
 * operation-log reports; the one report latency it does state is "up to 30 minutes" for meetings that just
 * ended to show in reports (support.zoom.com KB0060632, "Getting started with reports"). That figure is taken
 * rather than the 30 s other providers get, since it is the only latency Zoom states for its reports. The cost
 * is every row arriving 30 minutes late; a row listed later than that, older than the watermark, is not read.
 */
export const REPORT_SETTLE = Duration.minutes(30)

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)

/**
 * Zoom filters by day only: the window `[from, to)` becomes the days it touches, both ends inclusive; the
 * machinery keeps only records inside the exact window, so overlapping days are never read twice.
 */
export const reportRequest =
  (path: string) =>
  (query: PageQuery, token: string | undefined): ProviderCall => ({
    target: path,
    query: {
      from: day(query.from ?? query.now),
      to: day((query.to ?? query.now) - 1),
      page_size: String(clampLimit(query.limit, REPORT_PAGE_SIZE_MAX)),
      next_page_token: token,
    },
  })

export const activityLogsPage = Schema.decodeUnknownOption(ZoomActivityLogsPage)
export const operationLogsPage = Schema.decodeUnknownOption(ZoomOperationLogsPage)

const describeError = (body: unknown) =>
  Option.match(Schema.decodeUnknownOption(ZoomError)(body), {
    onNone: () => ({}),
    onSome: (error) => ({ code: String(error.code), message: error.message }),
  })

export const reportFacts = {
  order: "unsorted",
  // Zoom's `next_page_token` expires after 15 minutes (its report reference): each poll re-reads from the
  // watermark's day.
  tail: { mode: "watermark", settle: REPORT_SETTLE },
  historyRetention: REPORT_RETENTION,
  describeError,
} as const
