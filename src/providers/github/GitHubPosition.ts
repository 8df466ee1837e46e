import { Schema } from "effect"
import { UtcInstant } from "../../domain/Activity.ts"
import type { AuditEventKey } from "./auditEventId.ts"
import { floorToSecond } from "./auditLogQuery.ts"

// The audit log's cursors only page within one query, so the lasting position is a watermark: the second the
// next read starts at (inclusive; `created:>=` is second-grained) and the ids already published within that
// second (events share seconds). Each poll re-reads from it, drops those ids, sorts the rest and moves on.
// The shape is the contract's Watermark (`since`, `seen`), at second precision.

export const GitHubPosition = Schema.Struct({
  /** Whole-second UTC instant: the next read starts at this second, inclusive. */
  since: UtcInstant.pipe(Schema.filter((s) => s.endsWith(".000Z") || "a whole second")),
  /** Ids of the events published whose time falls within `since`'s second. */
  seen: Schema.Array(Schema.String),
}).annotations({ identifier: "GitHubPosition" })
export type GitHubPosition = typeof GitHubPosition.Type

/** Where to begin when events at or after `startMs` are wanted (a `created_at`, a configured start). */
export const positionFrom = (startMs: number): GitHubPosition => ({
  since: new Date(floorToSecond(startMs)).toISOString(),
  seen: [],
})

export interface Advanced<R> {
  /** Events not published before, oldest first (ties by id), each once, at most `limit`. */
  readonly fresh: ReadonlyArray<R>
  /** Events with no readable time: they cannot be placed, so they are handed on as they are (dead letters). */
  readonly unplaced: ReadonlyArray<R>
  /** Events newer than the read's end (not settled yet) or beyond `limit`: a later read returns them. */
  readonly deferred: number
  /** The position once `fresh` is published. */
  readonly position: GitHubPosition
}

/**
 * From the events of one read (any order, repeats allowed): drops events before the watermark's second and
 * those at it already published, defers those at or after `untilMs` (not settled) and beyond `limit`, sorts the
 * rest and moves the watermark to the second of the last one published. An event GitHub backfills after the
 * watermark has passed its second is not published: this position cannot tell it from one already published,
 * which is what the settle window is for.
 */
export const advance = <R>(
  position: GitHubPosition,
  events: ReadonlyArray<R>,
  keyOf: (event: R) => AuditEventKey | undefined,
  options: { readonly untilMs?: number; readonly limit?: number } = {},
): Advanced<R> => {
  const sinceMs = Date.parse(position.since)
  const seen = new Set(position.seen)
  const untilMs = options.untilMs ?? Number.POSITIVE_INFINITY
  const candidates = new Map<string, { readonly event: R; readonly ms: number }>()
  const unplaced: Array<R> = []
  let deferred = 0
  for (const event of events) {
    const key = keyOf(event)
    if (key === undefined) {
      unplaced.push(event)
      continue
    }
    const second = floorToSecond(key.ms)
    if (second < sinceMs || (second === sinceMs && seen.has(key.id)) || candidates.has(key.id)) continue
    if (key.ms >= untilMs) {
      deferred++
      continue
    }
    candidates.set(key.id, { event, ms: key.ms })
  }
  const sorted = [...candidates].sort(
    ([idA, a], [idB, b]) => a.ms - b.ms || (idA < idB ? -1 : idA > idB ? 1 : 0),
  )
  const taken = sorted.slice(0, options.limit ?? sorted.length)
  deferred += sorted.length - taken.length
  const last = taken.at(-1)
  if (last === undefined) return { fresh: [], unplaced, deferred, position }
  const lastSecond = floorToSecond(last[1].ms)
  const atLast = taken.filter(([, entry]) => floorToSecond(entry.ms) === lastSecond).map(([id]) => id)
  return {
    fresh: taken.map(([, entry]) => entry.event),
    unplaced,
    deferred,
    position: {
      since: new Date(lastSecond).toISOString(),
      seen: lastSecond === sinceMs ? [...position.seen, ...atLast] : atLast,
    },
  }
}
