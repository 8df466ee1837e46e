import { getHeapStatistics, setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Clock, type Duration, Effect, Metric, Ref, Schedule } from "effect"
import { heapPagesReturnedPause } from "../observability/metrics.ts"

// Why this exists. Node.js 24's V8 (13.6) keeps the pages its collector frees in a pool, resident, and empties
// the pool only in a collection of the last resort (or on a memory-pressure signal, which Node.js never
// sends). Measured on Node.js 24.21: 300 MB of garbage collected, V8's heap back to 22 MB, the process's RSS
// still 320 MB, 12 s later too, whatever the GC flags (`--decommit-pooled-pages` is already on, the memory
// reducer does not touch the pool); one last-resort collection: RSS 63 MB. Node.js 20 gave them back by itself.
// So the connector's peak (every account catching up at start, a backfill, a burst of replay requests) would
// stay its RSS for good. No maintained package does this; it is two calls into Node.js (below).

/** Memory as this policy reads it: the process's resident set, and what of it V8 and buffers account for. */
export interface MemoryReading {
  readonly rss: number
  /** V8's heap pages in use (`total_physical_size`) plus memory held for buffers outside it (`external`). */
  readonly accounted: number
}

export const readMemory = (): MemoryReading => {
  const heap = getHeapStatistics()
  return { rss: process.memoryUsage.rss(), accounted: heap.total_physical_size + heap.external_memory }
}

/** Resident memory neither V8's heap nor buffers account for: the binary's code, malloc, and pooled pages. */
export const unaccounted = (reading: MemoryReading) => reading.rss - reading.accounted

/**
 * Whether to empty the pool now: when the resident memory outside the heap grew by `headroom` or more since the
 * last time it was emptied (or since the start). A heap that grows because it holds more live objects does not
 * count (those pages are accounted), so a process with more accounts is not collected again and again.
 */
export const shouldReturnPages = (reading: MemoryReading, unaccountedAfterLast: number, headroom: number) =>
  unaccounted(reading) - unaccountedAfterLast >= headroom

export interface FreedPagesPolicy {
  /** How often the memory is read (a read costs microseconds). */
  readonly every: Duration.DurationInput
  /** Growth of the resident memory outside the heap that is worth a full collection (one takes 0.1–0.5 s). */
  readonly headroom: number
}

export const defaultFreedPagesPolicy: FreedPagesPolicy = { every: "30 seconds", headroom: 32 * 1024 * 1024 }

/**
 * A collection of the last resort: V8 collects everything it can and empties its pool of freed pages.
 * `--expose-gc` set at run time and `gc` read from a fresh context: the main context's globals stay as they
 * were (no global `gc` appears). Node.js warns that flags set after start may behave unpredictably; this one
 * only adds the `gc` binding to contexts made from then on.
 */
export const lastResortCollection = (): (() => void) => {
  setFlagsFromString("--expose-gc")
  const gc = runInNewContext("gc") as (options: {
    readonly type: "major"
    readonly execution: "sync"
    readonly flavor: "last-resort"
  }) => void
  return () => gc({ type: "major", execution: "sync", flavor: "last-resort" })
}

/**
 * Reads the memory every `policy.every` and, when the pool has grown by the headroom, runs a collection of the
 * last resort, logs what it gave back and how long the process paused, and records the pause
 * (`siem_connector_heap_pages_returned_pause_seconds`). Runs until interrupted.
 */
export const returnFreedHeapPages = (
  policy: FreedPagesPolicy = defaultFreedPagesPolicy,
  collect: () => void = lastResortCollection(),
  read: () => MemoryReading = readMemory,
): Effect.Effect<never> =>
  Effect.gen(function* () {
    const afterLast = yield* Ref.make(unaccounted(read()))
    const check = Effect.gen(function* () {
      const before = read()
      if (!shouldReturnPages(before, yield* Ref.get(afterLast), policy.headroom)) return
      const started = yield* Clock.currentTimeMillis
      collect()
      const pausedMs = (yield* Clock.currentTimeMillis) - started
      const after = read()
      yield* Ref.set(afterLast, unaccounted(after))
      yield* Metric.update(heapPagesReturnedPause, pausedMs / 1000)
      yield* Effect.logInfo("freed heap pages returned to the system").pipe(
        Effect.annotateLogs({
          rss_before_mib: Math.round(before.rss / 1048576),
          rss_after_mib: Math.round(after.rss / 1048576),
          paused_ms: pausedMs,
        }),
      )
    })
    return yield* check.pipe(Effect.repeat(Schedule.spaced(policy.every)), Effect.andThen(Effect.never))
  })
