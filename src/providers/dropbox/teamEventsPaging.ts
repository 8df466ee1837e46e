import type { ActivityFilters } from "../../domain/ActivityFilters.ts"
import type { ProviderError } from "../../http/ProviderError.ts"
import type { ProviderCall } from "../ProviderCall.ts"
import { clampLimit } from "../paging/Paginator.ts"
import { type RecordKey, type ResumableCursor, resumableCursor } from "../paging/resumableCursor.ts"
import { CONTINUE_PATH, GET_EVENTS_PATH, TeamEventsPage, teamEventId } from "./DropboxTeamEvent.ts"
import { eventTypeFor } from "./toActivity.ts"

// `POST /2/team_log/get_events` (JSON: `limit` 1–1000, `account_id`, `time` {start_time inclusive, end_time
// exclusive, whole seconds}, `category` or `event_type`, never both) and `POST /2/team_log/get_events/continue`
// (`{"cursor": …}`). Without `end_time` the last cursor can be polled for new events: that cursor is the tail.
// The cursor changes on every answer, the last included, so each is kept. A page may hold no events while
// `has_more` is true. Events are not guaranteed to be sorted by `timestamp`.

/** `limit`'s documented maximum (and default). */
export const TEAM_EVENTS_PAGE_SIZE = 1000

/** Dropbox's AccountId is exactly 40 characters (`users_common.stone`): anything else names no member. */
export const isAccountId = (value: string): boolean => value.length === 40

/**
 * The stream's position (the shared ResumableCursor): Dropbox's latest cursor, with the latest event `timestamp`
 * read and the ids (hashes) of the events read at that second. Events are unsorted, so the time is never the
 * position while the cursor works; it is only where a read starts again when Dropbox refuses the cursor (409
 * `reset`, whose value is "the approximate timestamp of the most recent event returned by the cursor", or
 * `bad_cursor`): `get_events` from that second, inclusive, dropping the ids already read there.
 */
export type DropboxCursor = ResumableCursor

/** Whole seconds, as Dropbox's TimeRange takes them: `2017-01-25T15:51:30Z`. */
const dropboxSecond = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")

/** `get_events`' body for the filters, from `from` (epoch ms, rounded down to its second: the bound is inclusive). */
export const getEventsBody = (
  filters: ActivityFilters,
  from: number | undefined,
  limit: number,
): Record<string, unknown> => {
  const eventType = filters.action === undefined ? undefined : eventTypeFor(filters.action)
  return {
    limit: clampLimit(limit, TEAM_EVENTS_PAGE_SIZE),
    ...(filters.actor_id === undefined ? {} : { account_id: filters.actor_id }),
    ...(from === undefined ? {} : { time: { start_time: dropboxSecond(from) } }),
    ...(eventType === undefined ? {} : { event_type: { ".tag": eventType } }),
  }
}

const getEvents = (filters: ActivityFilters, from: number | undefined, limit: number): ProviderCall => ({
  method: "POST",
  target: GET_EVENTS_PATH,
  json: getEventsBody(filters, from, limit),
})

/** Dropbox refused the stored cursor: the read starts again from the position's time. */
export const isCursorRefused = (error: ProviderError): boolean =>
  error._tag === "ProviderRejected" &&
  error.status === 409 &&
  (error.code === "reset" || error.code === "bad_cursor")

const eventKey = (raw: unknown): RecordKey | undefined => {
  const timestamp = (raw as { readonly timestamp?: unknown } | null)?.timestamp
  const ms = typeof timestamp === "string" ? Date.parse(timestamp) : Number.NaN
  return Number.isNaN(ms) ? undefined : { id: teamEventId(raw), ms }
}

/** The team log paged and tailed by Dropbox's cursor, restarted from the position's time when it is refused. */
export const teamEventsPaging = resumableCursor({
  integration: "dropbox",
  page: TeamEventsPage,
  records: (page) => page.events,
  token: (page) => page.cursor,
  hasMore: (page) => page.has_more,
  keyOf: eventKey,
  start: (from, query) => getEvents(query.filters, from, query.limit),
  // The cursor carries the filters and the page size of the read it continues.
  next: (cursor): ProviderCall => ({ method: "POST", target: CONTINUE_PATH, json: { cursor } }),
  sentCursor: (url) => url.pathname === CONTINUE_PATH,
  refused: isCursorRefused,
})
