import { Either, Option, Schema } from "effect"
import { UtcInstant } from "../../domain/Activity.ts"
import { ProviderBadResponse, type ProviderError } from "../../http/ProviderError.ts"
import type { ProviderCall } from "../ProviderCall.ts"
import type { PageQuery, Paginator } from "./Paginator.ts"

/**
 * The position of a stream tailed by the provider's own cursor (Atlassian's events stream, Asana's offset,
 * Dropbox's team-log cursor, Figma's activity-log cursor): the cursor, and beside it the latest event time read
 * and the ids read at that instant. The cursor follows the provider's own order (processing or capture time), so
 * a record published late still comes after it. The rest serves when there is no cursor to send, or the
 * provider refuses the one sent (expired, reset): the read starts again from that instant (inclusive) and drops
 * those ids, so nothing is repeated. A record published after the refused cursor but timed before that instant
 * is missed; each provider's note says so.
 */
export const ResumableCursor = Schema.Struct({
  /** The provider's cursor from the last page read; absent until it has handed one out. */
  token: Schema.optional(Schema.NonEmptyString),
  /**
   * The lower bound the cursor was issued under, where a restart from `since` set it: a provider that takes a
   * cursor only with the query it came from (Asana's offset) is sent that bound again.
   */
  issued_from: Schema.optional(UtcInstant),
  /** The latest event time read, as a UTC instant; absent before the first record. */
  since: Schema.optional(UtcInstant),
  /** Ids of the records read whose time is exactly `since`. */
  seen: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
}).annotations({ identifier: "ResumableCursor" })
export type ResumableCursor = typeof ResumableCursor.Type

/** A record's id and event time (epoch ms). */
export interface RecordKey {
  readonly id: string
  readonly ms: number
}

/** What a provider adds to the shared cursor logic: its page, its requests, and which errors refuse a cursor. */
export interface ResumableCursorFacts<Page> {
  readonly integration: string
  /** The page as the provider documents it. */
  // biome-ignore lint/suspicious/noExplicitAny: Schema is invariant in its encoded type; only unknown input is decoded.
  readonly page: Schema.Schema<Page, any>
  readonly records: (page: Page) => ReadonlyArray<unknown>
  /** The page's cursor; absent or empty when it carries none (the next read then starts from `since`). */
  readonly token: (page: Page) => string | undefined
  /** Whether the provider has more right now (its own flag, or "this page was not empty"). */
  readonly hasMore: (page: Page) => boolean
  /** A record's id and time; undefined for one without them (it is dead-lettered by the mapping). */
  readonly keyOf: (raw: unknown) => RecordKey | undefined
  /** A read from an instant (inclusive, epoch ms; undefined = where the filters say), without a cursor. */
  readonly start: (from: number | undefined, query: PageQuery) => ProviderCall
  /** The request carrying a cursor; `issuedFrom` is the lower bound it was issued under (epoch ms), if any. */
  readonly next: (token: string, query: PageQuery, issuedFrom: number | undefined) => ProviderCall
  /** Whether a request carried a cursor (as opposed to starting from an instant). */
  readonly sentCursor: (url: URL) => boolean
  /**
   * The provider takes a cursor only with the query it was issued under (Asana's offset, "with the same
   * filters"): the position then keeps the lower bound a restart issued it under, for `next` to send again.
   */
  readonly cursorBoundToQuery?: boolean
  /** The provider refused a stored cursor (expired, reset): the read starts again from the position's time. */
  readonly refused: (error: ProviderError) => boolean
}

/** The latest event time over the position and the page's records, with the ids at it. */
const latestOf = (
  previous: ResumableCursor | undefined,
  keys: ReadonlyArray<RecordKey | undefined>,
): Pick<ResumableCursor, "since" | "seen"> => {
  let latest = previous?.since === undefined ? Number.NEGATIVE_INFINITY : Date.parse(previous.since)
  let atLatest = new Set(previous?.seen ?? [])
  for (const key of keys) {
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

/** Where a read without a usable cursor starts: the position's instant, never before the query's own bound. */
const restartFrom = (position: ResumableCursor, query: PageQuery): number | undefined => {
  const since = position.since === undefined ? undefined : Date.parse(position.since)
  return since === undefined ? query.from : Math.max(since, query.from ?? since)
}

const instant = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString())

/** A stream paged and tailed by the provider's cursor, started again from the position's time when refused. */
export const resumableCursor = <Page>(facts: ResumableCursorFacts<Page>): Paginator<ResumableCursor> => {
  const pageOf = Schema.decodeUnknownOption(facts.page)
  const fromTime = (position: ResumableCursor, query: PageQuery) =>
    facts.start(restartFrom(position, query), query)
  return {
    family: "body_cursor",
    continuation: ResumableCursor,
    first: (query) => facts.start(query.from, query),
    next: (position, query) =>
      Either.right(
        position.token === undefined
          ? fromTime(position, query)
          : facts.next(
              position.token,
              query,
              position.issued_from === undefined ? query.from : Date.parse(position.issued_from),
            ),
      ),
    restart: { refused: facts.refused, call: fromTime },
    read: (answer, query, sent) => {
      const page = Option.getOrUndefined(pageOf(answer.body))
      if (page === undefined) {
        return Either.left(
          new ProviderBadResponse({
            integration: facts.integration,
            message: `${facts.integration} answered something other than its page shape`,
          }),
        )
      }
      const previous = sent.continuation
      const all = facts.records(page)
      const keys = all.map(facts.keyOf)
      // What was read at the boundary instant is never emitted again: a restart from that instant reads it
      // again, and a provider repeating a record is dropped the same way.
      const boundary = previous?.since === undefined ? undefined : Date.parse(previous.since)
      const seen = new Set(previous?.seen ?? [])
      const records = all.filter((_, i) => {
        const key = keys[i]
        return !(key !== undefined && key.ms === boundary && seen.has(key.id))
      })
      // A page without a cursor leaves none to come back with: the one before it points at this page, and
      // sent again would hand this page back, all but its latest instant published twice. The next read
      // starts from that instant instead, dropping the ids read at it, as after a refused cursor.
      const pageToken = facts.token(page)
      const token = pageToken ? pageToken : undefined
      const latest = latestOf(previous, keys)
      if (token === undefined && latest.since === undefined) {
        // Nothing read and no cursor to come back with: the next read starts where the filters say.
        return Either.right({ records, continuation: undefined, hasMore: false })
      }
      // A cursor a restart produced belongs to the restart's bound; one a cursor produced, to the same as before.
      const restarted = previous !== undefined && !facts.sentCursor(sent.url)
      const issuedFrom = !facts.cursorBoundToQuery
        ? undefined
        : restarted
          ? instant(restartFrom(previous, query))
          : previous?.issued_from
      return Either.right({
        records,
        continuation: {
          ...(token === undefined ? {} : { token }),
          ...(token === undefined || issuedFrom === undefined ? {} : { issued_from: issuedFrom }),
          ...latest,
        },
        // Without a cursor there is no "more now" to ask for: the next poll starts again from `since`.
        hasMore: token !== undefined && facts.hasMore(page),
      })
    },
  }
}
