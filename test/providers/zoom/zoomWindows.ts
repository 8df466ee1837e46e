import { Schema } from "effect"
import { UtcInstant } from "../../../src/domain/Activity.ts"
import type { RowKey } from "../../../src/providers/zoom/recordId.ts"
import {
  addMonths,
  REPORT_HISTORY_MONTHS,
  REPORT_PAGE_SIZE_MAX,
} from "../../../src/simulators/zoom/reportQuery.ts"

export { addMonths, REPORT_HISTORY_MONTHS, REPORT_PAGE_SIZE_MAX }

// A client-side reader of Zoom's report windows, for the simulator's protocol tests. The adapter does not use
// it: the shared watermark read (src/providers/readStream.ts, paging/dateWindow.ts) does this job in production.
//
// Zoom's reports page within a date window, not by a lasting cursor: `from`/`to` are days (`yyyy-mm-dd`),
// one month at most per request and within the last six months; `next_page_token` pages inside one window
// and dies after 15 minutes. So the lasting position is a watermark: the latest row time published, and the
// ids of the rows published at exactly that time (rows share seconds). Each poll re-reads from the
// watermark's day, drops what it already published, and sorts the rest itself (Zoom documents no order).

/**
 * Days re-read before the watermark's UTC day. Zoom does not say in which zone it reads `from`/`to`; were it
 * a zone west of UTC, starting at the watermark's UTC day could skip the hours before that zone's midnight.
 */
export const REPORT_DAY_SLACK = 1

export const ZoomPosition = Schema.Struct({
  /** The latest row time published; absent before the first row. */
  latest_time: Schema.optional(UtcInstant),
  /** Ids of the rows published at exactly `latest_time`. */
  ids_at_latest: Schema.optional(Schema.Array(Schema.String)),
}).annotations({ identifier: "ZoomPosition" })
export type ZoomPosition = typeof ZoomPosition.Type

/** Where to begin when rows at or after `startMs` are wanted (a `created_at` filter, a configured start). */
export const positionFrom = (startMs: number): ZoomPosition => ({
  latest_time: new Date(startMs).toISOString(),
  ids_at_latest: [],
})

/** One request range; both days inclusive. */
export interface ReportWindow {
  readonly from: string
  readonly to: string
}

export interface WindowPlan {
  /** Oldest first, each at most a month, without overlap; the last ends today (UTC). */
  readonly windows: ReadonlyArray<ReportWindow>
  readonly pageSize: number
  /**
   * Present when the position lies before Zoom's six months of history: activity between these instants can
   * no longer be read, and the stream should record it as a gap.
   */
  readonly gap?: { readonly from: string; readonly to: string }
}

const DAY_MS = 86_400_000
const dayOf = (ms: number) => new Date(ms).toISOString().slice(0, 10)
const startOf = (day: string) => Date.parse(`${day}T00:00:00.000Z`)
const addDays = (day: string, days: number) => dayOf(startOf(day) + days * DAY_MS)
const minDay = (a: string, b: string) => (a < b ? a : b)
const maxDay = (a: string, b: string) => (a > b ? a : b)

/**
 * The windows that read everything after `position` up to today, at `nowMs`. The oldest day asked for is one
 * day inside Zoom's six months (its day boundary is not documented), and each window ends a day before the
 * same date next month: shorter than Zoom's own example of an accepted range (2019-08-14 to 2019-09-14).
 */
export const planWindows = (
  position: ZoomPosition,
  nowMs: number,
  options: { readonly pageSize?: number; readonly daySlack?: number } = {},
): WindowPlan => {
  const today = dayOf(nowMs)
  const oldest = addDays(addMonths(today, -REPORT_HISTORY_MONTHS), 1)
  const latestMs = position.latest_time === undefined ? undefined : Date.parse(position.latest_time)
  const wanted =
    latestMs === undefined ? oldest : addDays(dayOf(latestMs), -(options.daySlack ?? REPORT_DAY_SLACK))
  const windows: Array<ReportWindow> = []
  for (let from = minDay(maxDay(wanted, oldest), today); from <= today; ) {
    const to = minDay(addDays(addMonths(from, 1), -1), today)
    windows.push({ from, to })
    from = addDays(to, 1)
  }
  const pageSize = Math.min(
    REPORT_PAGE_SIZE_MAX,
    Math.max(1, Math.floor(options.pageSize ?? REPORT_PAGE_SIZE_MAX)),
  )
  const lost = latestMs !== undefined && latestMs < startOf(oldest)
  return {
    windows,
    pageSize,
    ...(lost && position.latest_time !== undefined
      ? { gap: { from: position.latest_time, to: new Date(startOf(oldest)).toISOString() } }
      : {}),
  }
}

/** The query of one page: the window, the page size, and the token of the previous page of this window. */
export const pageQuery = (window: ReportWindow, pageSize: number, nextPageToken?: string): URLSearchParams =>
  new URLSearchParams({
    from: window.from,
    to: window.to,
    page_size: String(pageSize),
    ...(nextPageToken ? { next_page_token: nextPageToken } : {}),
  })

/** The token of the next page, or undefined on the last one (Zoom sends it empty or leaves it out). */
export const nextPageTokenOf = (page: { readonly next_page_token?: string | null | undefined }) =>
  page.next_page_token ? page.next_page_token : undefined

export interface Advanced<R> {
  /** Rows not published before, oldest first (ties by id), each once. */
  readonly fresh: ReadonlyArray<R>
  /**
   * Rows with no readable time: they cannot be placed against the watermark, so they are handed on as they
   * are (to be dead-lettered) and come again while their day is re-read.
   */
  readonly unplaced: ReadonlyArray<R>
  /** The position after `fresh` is published. */
  readonly position: ZoomPosition
}

/**
 * From the rows of drained windows (any order, duplicates allowed): drops rows older than the watermark and
 * rows at it already published, sorts the rest, and moves the watermark. A row Zoom writes late with a time
 * before the watermark is dropped: this position cannot tell it from one already published.
 */
export const advance = <R>(
  position: ZoomPosition,
  rows: ReadonlyArray<R>,
  keyOf: (row: R) => RowKey | undefined,
): Advanced<R> => {
  const latestMs =
    position.latest_time === undefined ? Number.NEGATIVE_INFINITY : Date.parse(position.latest_time)
  const seenAtLatest = new Set(position.ids_at_latest ?? [])
  const fresh = new Map<string, { readonly row: R; readonly ms: number }>()
  const unplaced: Array<R> = []
  for (const row of rows) {
    const key = keyOf(row)
    const ms = key === undefined ? Number.NaN : Date.parse(key.time)
    if (key === undefined || Number.isNaN(ms)) {
      unplaced.push(row)
      continue
    }
    if (ms < latestMs || (ms === latestMs && seenAtLatest.has(key.id))) continue
    fresh.set(key.id, { row, ms })
  }
  const sorted = [...fresh].sort(([idA, a], [idB, b]) => a.ms - b.ms || (idA < idB ? -1 : idA > idB ? 1 : 0))
  const last = sorted.at(-1)
  if (last === undefined) return { fresh: [], unplaced, position }
  const newLatestMs = last[1].ms
  const atNewLatest = sorted.filter(([, entry]) => entry.ms === newLatestMs).map(([id]) => id)
  return {
    fresh: sorted.map(([, entry]) => entry.row),
    unplaced,
    position: {
      latest_time: new Date(newLatestMs).toISOString(),
      ids_at_latest: newLatestMs === latestMs ? [...seenAtLatest, ...atNewLatest] : atNewLatest,
    },
  }
}
