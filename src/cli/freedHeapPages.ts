import { readFileSync } from "node:fs"
import { getHeapSpaceStatistics, getHeapStatistics, setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Clock, Duration, Effect, Metric } from "effect"
import { type ApiTraffic, RequestsInFlight } from "../api/RequestsInFlight.ts"
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
  /**
   * V8's pooled pages: what a collection of the last resort can give back (see `pooledPages`); undefined where
   * the process's mappings cannot be read (no /proc: not Linux).
   */
  readonly pooled: number | undefined
}

/** V8 maps each page of its heap as an anonymous, read-write region of 256 KiB, aligned to its size. */
const v8PageSize = 256 * 1024

/**
 * V8's pooled pages, from the text of `/proc/self/maps`: the bytes of V8's page mappings less the bytes of the
 * pages its spaces hold (`pagesInSpaces`). Neither Node.js nor V8 reports the pool, and the resident memory
 * outside the heap holds malloc's arenas too, which grow with traffic and which no collection gives back
 * (collections set off by that growth paused `serve` 0.2–0.85 s to return 1 MiB; see BENCHMARKS.md, Memory at
 * 1,000 accounts, round 4). Mapped bytes, not resident ones: `/proc/self/smaps` has those, agreed within
 * 2 MiB at every collection measured, and costs ten times as much or more to read (16–60 ms of CPU against
 * 1–3). A malloc'd block mapped on its own is aligned to 4 KiB only, so one counted here by chance is 256 KiB
 * at most. Adjacent pages that the kernel merged into one mapping are not counted: an error towards collecting
 * less.
 */
export const pooledPages = (maps: string, pagesInSpaces: number) => {
  let mapped = 0
  for (const line of maps.split("\n")) {
    // "start-end perms offset dev inode [path]": anonymous means inode 0 and no path.
    const [range, perms, , , inode, path] = line.split(/\s+/)
    if (perms !== "rw-p" || inode !== "0" || (path !== undefined && path !== "")) continue
    const [start, end] = (range ?? "").split("-").map((hex) => Number.parseInt(hex, 16))
    if (start !== undefined && end === start + v8PageSize && start % v8PageSize === 0) mapped += v8PageSize
  }
  return mapped - pagesInSpaces
}

/** The bytes of the spaces V8 keeps in regular pages: not its large objects' own mappings, not code. */
const pagesInSpaces = () =>
  getHeapSpaceStatistics()
    .filter(({ space_name }) => !space_name.includes("large_object") && !space_name.startsWith("code"))
    .reduce((bytes, space) => bytes + space.space_size, 0)

const readMaps = () => {
  try {
    return readFileSync("/proc/self/maps", "latin1")
  } catch {
    return undefined
  }
}

export const readMemory = (): MemoryReading => {
  const heap = getHeapStatistics()
  const maps = readMaps()
  return {
    rss: process.memoryUsage.rss(),
    accounted: heap.total_physical_size + heap.external_memory,
    pooled: maps === undefined ? undefined : pooledPages(maps, pagesInSpaces()),
  }
}

/** Resident memory neither V8's heap nor buffers account for: the binary's code, malloc, and pooled pages. */
export const unaccounted = (reading: MemoryReading) => reading.rss - reading.accounted

/**
 * Whether to empty the pool now: when V8's pool holds `headroom` or more, since that is what lasts of what the
 * collection gives back (it shrinks V8's heap to what is live too, but the heap grows back within its next
 * cycle). Where the pool cannot be read, when the resident memory outside the heap grew by `headroom` or
 * more since the last time it was emptied (or since the start), malloc's growth included. Either way a heap
 * that grows because it holds more live objects does not count (those pages are in use, not pooled), so a
 * process with more accounts is not collected again and again.
 */
export const shouldReturnPages = (reading: MemoryReading, unaccountedAfterLast: number, headroom: number) =>
  reading.pooled === undefined
    ? unaccounted(reading) - unaccountedAfterLast >= headroom
    : reading.pooled >= headroom

export interface FreedPagesPolicy {
  /** How often the memory is read (a read costs 1–3 ms of CPU at 1,000 accounts, mostly /proc/self/maps). */
  readonly every: Duration.DurationInput
  /** What V8's pool must hold for a full collection to be worth its pause (one takes 0.1–2 s). */
  readonly headroom: number
  /**
   * How long the API must have had no request in flight before the collection may pause the process; while a
   * collection waits for that, the memory and the traffic are read again this often.
   */
  readonly quiet: Duration.DurationInput
  /** The longest a collection waits for a quiet moment: then it runs, requests in flight or not. */
  readonly maxDeferral: Duration.DurationInput
}

// Why wait, and why at most 10 minutes. The collection stops the process for 0.1–2 s; every API request in
// flight then waits that long, and most of the endpoint's worst latencies were these pauses. A second with no
// request in flight is common for a SIEM's polling (a client pages through, then waits for its next poll) and
// makes it likely that no request arrives during the pause. Waiting costs no more memory than is resident
// already: V8 takes a page from its pool before it maps a new one, so the pool is what the process has
// already reached, and only stays resident longer. A server that is never quiet for a second still gives a
// one-off peak back within 10 minutes, and then spends at most 2 s in 10 minutes (0.3 %) paused for it.
export const defaultFreedPagesPolicy: FreedPagesPolicy = {
  every: "30 seconds",
  headroom: 32 * 1024 * 1024,
  quiet: "1 second",
  maxDeferral: "10 minutes",
}

/**
 * Whether a collection that is due (the pool reached the headroom `dueForMs` ago) runs now: when the API has
 * been quiet for `policy.quiet`, or when it has waited `policy.maxDeferral` for that.
 */
export const collectsNow = (traffic: ApiTraffic, dueForMs: number, policy: FreedPagesPolicy) =>
  (traffic.inFlight === 0 && traffic.quietForMs >= Duration.toMillis(policy.quiet)) ||
  dueForMs >= Duration.toMillis(policy.maxDeferral)

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
 * Reads the memory every `policy.every` and, when the pool holds the headroom, runs a collection of the
 * last resort at the next quiet moment of the API (see `collectsNow`), logs what it gave back, how long the
 * process paused and how long it waited, and records the pause
 * (`siem_connector_heap_pages_returned_pause_seconds`). While it waits, the memory is read again every
 * `policy.quiet`: should V8 give the pages back by itself meanwhile (its memory reducer does, in an idle
 * process), nothing is due any more. Runs until interrupted.
 */
export const returnFreedHeapPages = (
  policy: FreedPagesPolicy = defaultFreedPagesPolicy,
  collect: () => void = lastResortCollection(),
  read: () => MemoryReading = readMemory,
): Effect.Effect<never, never, RequestsInFlight> =>
  Effect.gen(function* () {
    const requests = yield* RequestsInFlight
    let afterLast = unaccounted(read())
    /** Since when a collection has been due, while one is. */
    let dueSinceMs: number | undefined
    const check = Effect.gen(function* () {
      const before = read()
      if (!shouldReturnPages(before, afterLast, policy.headroom)) {
        dueSinceMs = undefined
        return
      }
      const now = yield* Clock.currentTimeMillis
      dueSinceMs ??= now
      const traffic = yield* requests.traffic
      if (!collectsNow(traffic, now - dueSinceMs, policy)) return
      collect()
      const pausedMs = (yield* Clock.currentTimeMillis) - now
      const after = read()
      afterLast = unaccounted(after)
      yield* Metric.update(heapPagesReturnedPause, pausedMs / 1000)
      yield* Effect.logInfo("freed heap pages returned to the system").pipe(
        Effect.annotateLogs({
          rss_before_mib: Math.round(before.rss / 1048576),
          ...(before.pooled === undefined ? {} : { pooled_before_mib: Math.round(before.pooled / 1048576) }),
          rss_after_mib: Math.round(after.rss / 1048576),
          paused_ms: pausedMs,
          waited_ms: now - dueSinceMs,
          requests_in_flight: traffic.inFlight,
        }),
      )
      dueSinceMs = undefined
    })
    return yield* Effect.forever(
      Effect.zipRight(
        check,
        Effect.suspend(() => Effect.sleep(dueSinceMs === undefined ? policy.every : policy.quiet)),
      ),
    )
  })
