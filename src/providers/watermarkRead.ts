import { createHash } from "node:crypto"
import { Duration, Either } from "effect"
import type { Activity } from "../domain/Activity.ts"
import type { ActivityFilters } from "../domain/ActivityFilters.ts"
import type { AnyActivityStream, Watermark } from "./ActivityStream.ts"
import type { RejectedRecord } from "./mapRecord.ts"

/**
 * How far behind the end of a read with nothing new the lower bound stays: a watermark stream keeps re-reading
 * the last day, so rows a provider publishes late (within a day) are still caught, deduped by the boundary ids.
 */
const QUIET_LOOKBACK_MS = 24 * 60 * 60 * 1000

/** What one read of a watermark stream covers: `[from, to)`, and what was already emitted at `from`. */
export interface WatermarkBounds {
  readonly from: number
  readonly to: number
  readonly settleMs: number
  /** Ids emitted at exactly `from` by earlier reads. */
  readonly seen: ReadonlySet<string>
  /** Digests of rejected records already handed on (to be dead-lettered once). */
  readonly rejectedBefore: ReadonlySet<string>
}

/**
 * The range a read covers at `now`: from the position's instant (inclusive; else `created_at`, else the
 * oldest the provider keeps) up to now less the settle window. Never before what the provider keeps.
 */
export const watermarkBounds = (
  stream: AnyActivityStream,
  position: Watermark | undefined,
  filters: ActivityFilters,
  now: number,
): WatermarkBounds => {
  const settleMs =
    stream.tail.mode === "watermark" ? Duration.toMillis(stream.tail.settle ?? Duration.zero) : 0
  const oldestKept =
    stream.historyRetention === undefined ? 0 : now - Duration.toMillis(stream.historyRetention)
  const since = Date.parse(position?.since ?? filters.created_at ?? new Date(oldestKept).toISOString())
  const from = Math.max(Number.isNaN(since) ? oldestKept : since, oldestKept)
  return {
    from,
    to: now - settleMs,
    settleMs,
    seen: new Set(position !== undefined && Date.parse(position.since) === from ? position.seen : []),
    rejectedBefore: new Set(position?.rejected ?? []),
  }
}

/** The position of a read that gathered nothing: where it stood (or the range's start). */
export const unmovedPosition = (bounds: WatermarkBounds, position: Watermark | undefined): Watermark =>
  position ?? { since: new Date(bounds.from).toISOString(), seen: [], rejected: [] }

const digest = (raw: unknown) =>
  createHash("sha256")
    .update(JSON.stringify(raw) ?? "")
    .digest("base64url")
    .slice(0, 22)

interface Candidate {
  readonly raw: unknown
  readonly activity: Activity
  readonly at: number
}

/** What a watermark read hands back: its records, oldest first, and the position after any prefix of them. */
export interface WatermarkReadResult {
  readonly records: ReadonlyArray<unknown>
  readonly mapped: ReadonlyArray<Either.Either<Activity, RejectedRecord>>
  readonly next: Watermark
  readonly hasMore: boolean
  readonly after: (count: number) => Watermark
}

/**
 * The bookkeeping of one watermark read, apart from its requests: each record the provider pages hand over is
 * offered with its window; `result` sorts by time, keeps the oldest `limit` and says where the stream stands
 * after any number of them. Rejected records go first, each once across reads (by digest).
 *
 * Mutable inside, as a read gathers page by page; nothing outside it is touched, and no I/O.
 */
export const makeWatermarkRead = (
  bounds: WatermarkBounds,
  limit: number,
  order: AnyActivityStream["order"],
) => {
  const { from, seen, rejectedBefore } = bounds
  const candidates: Candidate[] = []
  const collected = new Set<string>()
  const rejectedNew: Array<{ raw: unknown; rejected: RejectedRecord; digest: string }> = []
  const rejectedSeen = new Set<string>()

  const offer = (
    raw: unknown,
    mapped: Either.Either<Activity, RejectedRecord>,
    [windowFrom, windowTo]: readonly [number, number],
  ) => {
    if (Either.isLeft(mapped)) {
      const key = digest(raw)
      rejectedSeen.add(key)
      if (!rejectedBefore.has(key) && !rejectedNew.some((r) => r.digest === key))
        rejectedNew.push({ raw, rejected: mapped.left, digest: key })
      return
    }
    const at = Date.parse(mapped.right.created_at)
    if (at < from || at >= windowTo || at < windowFrom) return
    if (at === from && seen.has(mapped.right.id)) return
    // Offset pages over a newest-first list shift when a record lands inside the window mid-read (a late
    // publisher): the record at a page boundary then comes twice. It is one record, kept once.
    if (collected.has(mapped.right.id)) return
    collected.add(mapped.right.id)
    candidates.push({ raw, activity: mapped.right, at })
  }

  /**
   * A provider that answers oldest first has given the oldest `limit` records once that many are in hand: the
   * rest of the range waits for the next read, which starts after them. Without it a first read from months
   * back would page through all of them (GitHub: 100 a request, 1,750 requests an hour) to keep 100.
   */
  const enough = () => order === "oldest_first" && candidates.length >= limit
  /** Windows go oldest first: once `limit` are in hand, later windows hold only newer records. */
  const full = () => candidates.length >= limit

  /** `complete`: every window of the range was read to its end. */
  const result = (complete: boolean): WatermarkReadResult => {
    // Stable sort: records of one instant keep the provider's order.
    candidates.sort((a, b) => a.at - b.at)
    const positionAfter = (count: number): Watermark => {
      // Rejected records go first; those not emitted yet must stay unknown so the next read emits them.
      const pending = new Set(rejectedNew.slice(count).map((r) => r.digest))
      const known = complete ? rejectedSeen : new Set([...rejectedBefore, ...rejectedSeen])
      const rejectedAfter = [...known].filter((key) => !pending.has(key))
      const taken = candidates.slice(0, Math.max(0, count - rejectedNew.length))
      const last = taken.at(-1)
      if (last === undefined) {
        // Nothing new: a finished read moves the lower bound up through quiet history, but not into the last
        // QUIET_LOOKBACK (or settle window) before its end, where rows published late can still appear.
        const quiet = complete && count >= rejectedNew.length && candidates.length === 0
        const advancedTo = bounds.to - Math.max(QUIET_LOOKBACK_MS, bounds.settleMs)
        return quiet && advancedTo > from
          ? { since: new Date(advancedTo).toISOString(), seen: [], rejected: rejectedAfter }
          : { since: new Date(from).toISOString(), seen: [...seen], rejected: rejectedAfter }
      }
      const atLast = taken.filter((c) => c.at === last.at).map((c) => c.activity.id)
      const carried = last.at === from ? [...seen] : []
      return {
        since: new Date(last.at).toISOString(),
        seen: [...new Set([...carried, ...atLast])],
        rejected: rejectedAfter,
      }
    }
    const taken = candidates.slice(0, limit)
    const records = [...rejectedNew.map((r) => r.raw), ...taken.map((c) => c.raw)]
    return {
      records,
      mapped: [
        ...rejectedNew.map((r) => Either.left(r.rejected)),
        ...taken.map((c) => Either.right(c.activity)),
      ],
      next: positionAfter(records.length),
      hasMore: candidates.length > taken.length || !complete,
      after: positionAfter,
    }
  }

  return { offer, enough, full, result }
}
