import { Option, Schema } from "effect"
import { toUtcInstant, UtcInstant } from "../../domain/Activity.ts"
import { AtlassianEvent } from "./AtlassianEvent.ts"
import { clampLimit, cursorQuery, startQuery } from "./eventsStream.ts"

// The stream's own cursor is the lasting position: it follows processing time, so an event processed late
// (with an older event time) still comes after it, and it keeps working on the last page. Beside it the
// position keeps the latest event time published and the ids published at that instant. They are for the
// one case the cursor cannot serve: Atlassian refusing it (`ADMIN-400-1`). Then the read restarts with
// `from` = that instant (event time, inclusive) and drops those ids: nothing published is repeated; an event
// processed after the refused cursor but timed before that instant is missed, as atlassian.md §4 warns.

export const AtlassianPosition = Schema.Struct({
  /** `meta.next` of the last page read; absent before the first page. */
  cursor: Schema.optional(Schema.String),
  /** The latest event time published (`attributes.time`, as a UTC instant); absent before the first event. */
  since: Schema.optional(UtcInstant),
  /** Ids of the events published whose time is exactly `since`. */
  seen: Schema.Array(Schema.String),
}).annotations({ identifier: "AtlassianPosition" })
export type AtlassianPosition = typeof AtlassianPosition.Type

export const initialPosition: AtlassianPosition = { seen: [] }

/** The request of the next read from a position: its cursor, else a start at `startMs` (`created_at`, configured start). */
export const nextQuery = (position: AtlassianPosition, startMs: number, limit: number): URLSearchParams =>
  position.cursor ? cursorQuery(position.cursor, limit) : restartQuery(position, startMs, limit)

/** The request after Atlassian refused the cursor: from the latest event time published (or `startMs`). */
export const restartQuery = (position: AtlassianPosition, startMs: number, limit: number): URLSearchParams =>
  startQuery({
    fromMs: position.since === undefined ? startMs : Date.parse(position.since),
    limit: clampLimit(limit),
  })

/** Forgets the cursor, keeping what restarting needs. */
export const withoutCursor = ({ since, seen }: AtlassianPosition): AtlassianPosition => ({
  ...(since === undefined ? {} : { since }),
  seen,
})

export interface EventKey {
  readonly id: string
  /** Event time, epoch ms. */
  readonly ms: number
}

/** The id and event time of a raw event; undefined for one without a usable id or time. */
export const eventKey = (raw: unknown): EventKey | undefined => {
  const decoded = Schema.decodeUnknownOption(AtlassianEvent)(raw)
  if (Option.isSome(decoded)) return { id: decoded.value.id, ms: Date.parse(decoded.value.attributes.time) }
  const fields = raw as { readonly id?: unknown; readonly attributes?: { readonly time?: unknown } } | null
  const time = typeof fields?.attributes?.time === "string" ? toUtcInstant(fields.attributes.time) : undefined
  return typeof fields?.id === "string" && fields.id !== "" && time !== undefined
    ? { id: fields.id, ms: Date.parse(time) }
    : undefined
}

export interface Advanced<R> {
  /** The page's events not published before, in the stream's order (processing time), each once. */
  readonly fresh: ReadonlyArray<R>
  /** Events with no usable id or time: handed on as they are (dead letters). */
  readonly unplaced: ReadonlyArray<R>
  readonly position: AtlassianPosition
}

/**
 * One page read: drops events already published at the boundary instant (a restart re-reads it) and repeats
 * within the page, keeps the stream's order, and moves the position to the page's cursor and the latest event
 * time. Events older than `since` are kept: in the stream they are events processed late, not repeats.
 */
export const advance = <R>(
  position: AtlassianPosition,
  events: ReadonlyArray<R>,
  nextCursor: string | undefined,
  keyOf: (event: R) => EventKey | undefined = eventKey as (event: R) => EventKey | undefined,
): Advanced<R> => {
  const sinceMs = position.since === undefined ? Number.NEGATIVE_INFINITY : Date.parse(position.since)
  const seen = new Set(position.seen)
  const taken = new Set<string>()
  const fresh: Array<R> = []
  const unplaced: Array<R> = []
  let latest = sinceMs
  let atLatest = position.seen
  for (const event of events) {
    const key = keyOf(event)
    if (key === undefined) {
      unplaced.push(event)
      continue
    }
    if (taken.has(key.id) || (key.ms === sinceMs && seen.has(key.id))) continue
    taken.add(key.id)
    fresh.push(event)
    if (key.ms > latest) {
      latest = key.ms
      atLatest = [key.id]
    } else if (key.ms === latest) {
      atLatest = [...atLatest, key.id]
    }
  }
  const cursor = nextCursor ?? position.cursor
  return {
    fresh,
    unplaced,
    position: {
      ...(cursor === undefined ? {} : { cursor }),
      ...(Number.isFinite(latest) ? { since: new Date(latest).toISOString() } : {}),
      seen: atLatest,
    },
  }
}
