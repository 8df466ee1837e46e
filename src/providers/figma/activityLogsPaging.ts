import { Duration, Either, Option, Schema } from "effect"
import { UtcInstant } from "../../domain/Activity.ts"
import { ProviderBadResponse, type ProviderError } from "../../http/ProviderError.ts"
import type { ProviderCall } from "../ProviderCall.ts"
import { clampLimit, type PageQuery, type Paginator } from "../paging/Paginator.ts"
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
 * The stream's position: Figma's cursor, and beside it the latest event second read and the ids read at it.
 * The cursor follows the order Figma logged events in, so an event logged late still comes after it. The rest
 * serves when there is no cursor to send (Figma answered none) or Figma refuses the one sent: the read then
 * starts again with `start_time` = that second (inclusive) and drops those ids, so nothing is repeated. An event
 * logged after the refused cursor but stamped before that second would be missed: expiry is not documented.
 */
export const FigmaCursor = Schema.Struct({
  /** `meta.cursor` of the last page read; absent when Figma has answered none yet. */
  token: Schema.optional(Schema.NonEmptyString),
  /** The latest event time read (whole seconds, as a UTC instant); absent before the first event. */
  since: Schema.optional(UtcInstant),
  /** Ids of the events read whose timestamp is exactly `since`. */
  seen: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
}).annotations({ identifier: "FigmaCursor" })
export type FigmaCursor = typeof FigmaCursor.Type

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

interface EventKey {
  readonly id: string
  /** Epoch ms, whole seconds. */
  readonly ms: number
}

/** The id and time of a raw event; undefined for one without a usable id or timestamp (it is dead-lettered). */
const eventKey = (raw: unknown): EventKey | undefined => {
  const fields = raw as { readonly id?: unknown; readonly timestamp?: unknown } | null
  return typeof fields?.id === "string" &&
    fields.id !== "" &&
    typeof fields.timestamp === "number" &&
    Number.isFinite(fields.timestamp)
    ? { id: fields.id, ms: fields.timestamp * 1000 }
    : undefined
}

/** The latest event second over what was read before and this page, with the ids at it. */
const latestOf = (
  previous: Pick<FigmaCursor, "since" | "seen"> | undefined,
  records: ReadonlyArray<unknown>,
): Pick<FigmaCursor, "since" | "seen"> => {
  let latest = previous?.since === undefined ? Number.NEGATIVE_INFINITY : Date.parse(previous.since)
  let atLatest = new Set(previous?.seen ?? [])
  for (const key of records.map(eventKey)) {
    if (key === undefined || key.ms < latest) continue
    if (key.ms > latest) {
      latest = key.ms
      atLatest = new Set()
    }
    atLatest.add(key.id)
  }
  return Number.isFinite(latest)
    ? { since: new Date(latest).toISOString(), seen: [...atLatest] }
    : { seen: [] }
}

const pageOf = Schema.decodeUnknownOption(FigmaActivityLogsPage)

/** Where a position without a usable cursor starts again: its latest second, else the query's own start. */
const restartCall = (cursor: FigmaCursor, query: PageQuery): ProviderCall =>
  startCall(cursor.since === undefined ? query.from : Date.parse(cursor.since), query)

/** `/v1/activity_logs` paged and tailed by Figma's cursor, restarted from the position's time when refused. */
export const activityLogsPaging: Paginator<FigmaCursor> = {
  family: "body_cursor",
  continuation: FigmaCursor,
  first: (query) => startCall(query.from, query),
  // The cursor carries where the read stands; the same `events` go with it, since whether the cursor keeps
  // the filter is not documented (sending it unchanged cannot contradict it).
  next: (cursor, query) =>
    Either.right(
      cursor.token === undefined
        ? restartCall(cursor, query)
        : {
            target: ACTIVITY_LOGS_PATH,
            query: {
              cursor: cursor.token,
              events: eventsParam(query),
              limit: String(clampLimit(query.limit, ACTIVITY_LOGS_PAGE_SIZE)),
            },
          },
    ),
  restart: { refused: isCursorRefused, call: restartCall },
  read: (answer, _query, sent) => {
    const page = Option.getOrUndefined(pageOf(answer.body))
    if (page === undefined) {
      return Either.left(
        new ProviderBadResponse({
          integration: "figma",
          message: "figma answered something other than its activity logs page shape",
        }),
      )
    }
    const previous = sent.continuation
    const records = page.meta.activity_logs
    // A read started again from `since` (no cursor sent) sees that second again: what was read there is dropped.
    const restarted = previous !== undefined && !sent.url.searchParams.has("cursor")
    const seen = new Set(restarted ? previous.seen : [])
    const fresh = records.filter((raw) => {
      const key = eventKey(raw)
      return !(
        key !== undefined &&
        previous?.since !== undefined &&
        key.ms === Date.parse(previous.since) &&
        seen.has(key.id)
      )
    })
    const token = page.meta.cursor ? page.meta.cursor : previous?.token
    const latest = latestOf(previous, records)
    const hasMore = page.meta.next_page === true
    if (token === undefined && latest.since === undefined) {
      // Nothing read and nothing to come back with: the next read starts where the filters say.
      return Either.right({ records: fresh, continuation: undefined, hasMore: false })
    }
    return Either.right({
      records: fresh,
      continuation: { ...(token === undefined ? {} : { token }), ...latest },
      hasMore,
    })
  },
}
