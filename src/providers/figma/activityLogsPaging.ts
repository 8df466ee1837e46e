import { Duration } from "effect"
import type { ProviderError } from "../../http/ProviderError.ts"
import type { ProviderCall } from "../ProviderCall.ts"
import { clampLimit, type PageQuery } from "../paging/Paginator.ts"
import { type RecordKey, type ResumableCursor, resumableCursor } from "../paging/resumableCursor.ts"
import { ACTIVITY_LOGS_PATH, FigmaActivityLogsPage } from "./FigmaActivityLog.ts"
import { eventsFor } from "./toActivity.ts"

// The request side of `GET https://api.figma.com/v1/activity_logs` (developers.figma.com activity-logs-endpoints):
// `events` (comma-separated action types; all by default), `start_time` / `end_time` (Unix seconds, inclusive;
// default a year ago / now), `limit` (default and maximum 1000), `order` (`asc`, the default, or `desc`), and
// `cursor`, from `meta.cursor` of the previous answer. `next_page` says whether more are waiting now; the cursor
// of the last page, asked again later, gives the events logged since ("poll every few minutes with the cursor").
//
// Rate limits (developers.figma.com rate-limits): Activity Logs is a Tier 3 endpoint, a leaky bucket per user,
// plan and app; the lowest Tier 3 budget is 10 requests a minute. Over it Figma answers 429 with `Retry-After`
// (seconds) and `X-Figma-Plan-Tier`, `X-Figma-Rate-Limit-Type`, `X-Figma-Upgrade-Link`: the shared HTTP client
// waits out the Retry-After.

/** Figma's documented maximum (and default) page size. */
export const ACTIVITY_LOGS_PAGE_SIZE = 1000

/** Figma keeps a year of events. */
export const FIGMA_RETENTION = Duration.days(365)

/**
 * The stream's position (the shared ResumableCursor): Figma's cursor, with the latest event second read and the
 * ids read at it. The cursor follows the order Figma logged events in, so an event logged late still comes
 * after it. With no cursor to send (Figma answered none) or one Figma refuses, the read starts again with
 * `start_time` = that second and drops those ids. An event logged after the refused cursor but stamped before
 * that second would be missed: expiry is not documented.
 */
export type FigmaCursor = ResumableCursor

/** `events` for the query's action filter: the Figma types it stands for, comma-separated. */
const eventsParam = (query: PageQuery): string | undefined => {
  const action = query.filters.action
  return action === undefined ? undefined : eventsFor(action).join(",")
}

/** A read from `fromMs` (inclusive, floored to Figma's seconds), oldest logged first. */
export const startCall = (fromMs: number | undefined, query: PageQuery): ProviderCall => ({
  target: ACTIVITY_LOGS_PATH,
  query: {
    events: eventsParam(query),
    start_time: fromMs === undefined ? undefined : String(Math.floor(fromMs / 1000)),
    limit: String(clampLimit(query.limit, ACTIVITY_LOGS_PAGE_SIZE)),
    order: "asc",
  },
})

/**
 * A cursor Figma would not take. Undocumented: a 400 naming the cursor is read as that (the request carried
 * nothing else it could object to but `limit` and `events`, which the first request carried too).
 */
export const isCursorRefused = (error: ProviderError): boolean =>
  error._tag === "ProviderRejected" && error.status === 400 && /cursor/i.test(error.message)

/** The id and time of a raw event; undefined for one without a usable id or timestamp (it is dead-lettered). */
const eventKey = (raw: unknown): RecordKey | undefined => {
  const fields = raw as { readonly id?: unknown; readonly timestamp?: unknown } | null
  return typeof fields?.id === "string" &&
    fields.id !== "" &&
    typeof fields.timestamp === "number" &&
    Number.isFinite(fields.timestamp)
    ? { id: fields.id, ms: fields.timestamp * 1000 }
    : undefined
}

/** `/v1/activity_logs` paged and tailed by Figma's cursor, restarted from the position's time when refused. */
export const activityLogsPaging = resumableCursor({
  integration: "figma",
  page: FigmaActivityLogsPage,
  records: (page) => page.meta.activity_logs,
  token: (page) => page.meta.cursor ?? undefined,
  hasMore: (page) => page.meta.next_page === true,
  keyOf: eventKey,
  start: startCall,
  // The cursor carries where the read stands; the same `events` go with it, since whether the cursor keeps
  // the filter is not documented (sending it unchanged cannot contradict it).
  next: (cursor, query): ProviderCall => ({
    target: ACTIVITY_LOGS_PATH,
    query: {
      cursor,
      events: eventsParam(query),
      limit: String(clampLimit(query.limit, ACTIVITY_LOGS_PAGE_SIZE)),
    },
  }),
  sentCursor: (url) => url.searchParams.has("cursor"),
  refused: isCursorRefused,
})
