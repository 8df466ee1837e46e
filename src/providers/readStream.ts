import { createHash } from "node:crypto"
import { Clock, Duration, Effect, Either } from "effect"
import type { Activity } from "../domain/Activity.ts"
import type { ActivityFilters } from "../domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import { ProviderBadResponse, type ProviderError } from "../http/ProviderError.ts"
import type { AnyActivityStream, Watermark } from "./ActivityStream.ts"
import { mapRecord, type RejectedRecord } from "./mapRecord.ts"
import type { ProviderAdapter, ProviderServices } from "./ProviderAdapter.ts"
import { sendProviderCall } from "./ProviderCall.ts"
import type { PageQuery } from "./paging/Paginator.ts"
import { requireProgress } from "./requireProgress.ts"

export interface StreamPageRequest<Position = unknown> {
  readonly account: IntegratedAccount
  readonly filters: ActivityFilters
  /** Where to continue; undefined = the start given by the filters (`created_at`, else the earliest kept). */
  readonly position: Position | undefined
  /** Upper bound on records to return; fewer may come. */
  readonly limit: number
}

export interface StreamPage<Position = unknown> {
  /** Raw provider records in the order they are emitted (oldest first for watermark streams). */
  readonly records: ReadonlyArray<unknown>
  /** Each record decoded and mapped, index for index. */
  readonly mapped: ReadonlyArray<Either.Either<Activity, RejectedRecord>>
  /**
   * Where to continue. At the end of what the provider has now, the position that asks for newer activity
   * only (the tail), so a reader that comes back later misses and repeats nothing.
   */
  readonly next: Position
  /** True when the provider has more right now; false when caught up. */
  readonly hasMore: boolean
  /**
   * Where the stream stands after only the first `count` records, for streams whose position can say so
   * (watermark streams); absent where a page is taken whole (a provider cursor points past the whole page).
   */
  readonly after?: (count: number) => Position
}

/**
 * How far behind the end of a read with nothing new the lower bound stays: a watermark stream keeps re-reading
 * the last day, so rows a provider publishes late (within a day) are still caught, deduped by the boundary ids.
 */
const QUIET_LOOKBACK_MS = 24 * 60 * 60 * 1000

/** Pages in one read before the machinery calls it a loop: far beyond any window the providers document. */
const MAX_PAGES_PER_READ = 10_000

const send =
  (stream: AnyActivityStream, account: IntegratedAccount) => (call: Parameters<typeof sendProviderCall>[1]) =>
    sendProviderCall(account, call, {
      paths: stream.paths,
      describeError: stream.describeError,
      classifyError: stream.classifyError,
    })

/** A stream tailed by the provider's own continuation: one provider request per page. */
const readCursorPage = (
  adapter: ProviderAdapter,
  stream: AnyActivityStream,
  request: StreamPageRequest,
): Effect.Effect<StreamPage, ProviderError, ProviderServices> =>
  Effect.gen(function* () {
    const { account, filters, limit } = request
    const now = yield* Clock.currentTimeMillis
    const from = filters.created_at === undefined ? undefined : Date.parse(filters.created_at)
    const query: PageQuery = { filters, limit, from, to: undefined, now, settings: account.settings }
    const position = request.position ?? stream.paging.start?.(query)
    if (stream.canMatch?.(filters) === false) {
      // No record of this stream can match: an empty answer, without spending the provider's quota.
      return { records: [], mapped: [], next: position, hasMore: false }
    }
    const call =
      position === undefined ? stream.paging.first(query) : yield* stream.paging.next(position, query)
    const sent = send(stream, account)(call)
    const restart = stream.paging.restart
    // A stored continuation the provider refuses (Atlassian's expired cursor): start again from what it holds.
    const { url, answer } = yield* position === undefined || restart === undefined
      ? sent
      : sent.pipe(
          Effect.catchIf(restart.refused, (refused) =>
            Effect.logWarning(
              "the provider refused the stream's stored continuation; starting again from it",
            ).pipe(
              Effect.annotateLogs({ stream: stream.name, error: refused.message }),
              Effect.zipRight(send(stream, account)(restart.call(position, query))),
            ),
          ),
        )
    const page = yield* stream.paging.read(answer, query, { url, continuation: position })
    const next = page.continuation ?? position
    const hasMore = page.hasMore ?? (page.continuation !== undefined && page.records.length > 0)
    // A page that hands back the position it was asked with would be read, and published, on every poll.
    yield* requireProgress(adapter.integration, request.position, { records: page.records, next, hasMore })
    return {
      records: page.records,
      mapped: page.records.map((raw) => mapRecord(stream, account, raw)),
      next,
      hasMore,
    }
  })

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

/** `[from, to)` in ranges of at most `width`, oldest first. */
const windowsOf = (from: number, to: number, width: number | undefined): Array<readonly [number, number]> => {
  if (width === undefined || to - from <= width) return [[from, to]]
  const windows: Array<readonly [number, number]> = []
  for (let start = from; start < to; start += width) windows.push([start, Math.min(to, start + width)])
  return windows
}

/**
 * A stream tailed by a watermark: reads from the position's instant (inclusive) up to now less the settle
 * window, every provider page of every window, drops what was already emitted at the boundary, sorts by
 * time and keeps the oldest `limit`. Continuations live only inside this read.
 */
const readWatermarkPage = (
  adapter: ProviderAdapter,
  stream: AnyActivityStream,
  request: StreamPageRequest<Watermark>,
): Effect.Effect<StreamPage<Watermark>, ProviderError, ProviderServices> =>
  Effect.gen(function* () {
    const { account, filters, limit } = request
    const now = yield* Clock.currentTimeMillis
    const settle = stream.tail.mode === "watermark" ? (stream.tail.settle ?? Duration.zero) : Duration.zero
    const oldestKept =
      stream.historyRetention === undefined ? 0 : now - Duration.toMillis(stream.historyRetention)
    const previous = request.position
    const since = Date.parse(previous?.since ?? filters.created_at ?? new Date(oldestKept).toISOString())
    const from = Math.max(Number.isNaN(since) ? oldestKept : since, oldestKept)
    const to = now - Duration.toMillis(settle)
    const seen = new Set(previous !== undefined && Date.parse(previous.since) === from ? previous.seen : [])
    const rejectedBefore = new Set(previous?.rejected ?? [])
    const unchanged: StreamPage<Watermark> = {
      records: [],
      mapped: [],
      next: previous ?? { since: new Date(from).toISOString(), seen: [], rejected: [] },
      hasMore: false,
    }
    if (stream.canMatch?.(filters) === false || from >= to) return unchanged

    const candidates: Candidate[] = []
    const collected = new Set<string>()
    const rejectedNew: Array<{ raw: unknown; rejected: RejectedRecord; digest: string }> = []
    const rejectedSeen = new Set<string>()
    const windows = windowsOf(from, to, stream.paging.maxWindowMs)
    // A provider that answers oldest first has given the oldest `limit` records once that many are in hand:
    // the rest of the range waits for the next read, which starts after them. Without it a first read from
    // months back would page through all of them (GitHub: 100 a request, 1,750 requests an hour) to keep 100.
    const enough = () => stream.order === "oldest_first" && candidates.length >= limit
    let windowsRead = 0
    for (const [windowFrom, windowTo] of windows) {
      const query: PageQuery = {
        filters,
        limit,
        from: windowFrom,
        to: windowTo,
        now,
        settings: account.settings,
      }
      let call = stream.paging.first(query)
      let continuation: unknown
      let cutShort = false
      for (let pages = 0; ; pages++) {
        if (pages >= MAX_PAGES_PER_READ) {
          return yield* new ProviderBadResponse({
            integration: adapter.integration,
            message: `${adapter.integration} ${stream.name} did not end within ${MAX_PAGES_PER_READ} pages of one window`,
          })
        }
        const { url, answer } = yield* send(stream, account)(call)
        const page = yield* stream.paging.read(answer, query, { url, continuation })
        for (const raw of page.records) {
          const mapped = mapRecord(stream, account, raw)
          if (Either.isLeft(mapped)) {
            const key = digest(raw)
            rejectedSeen.add(key)
            if (!rejectedBefore.has(key) && !rejectedNew.some((r) => r.digest === key))
              rejectedNew.push({ raw, rejected: mapped.left, digest: key })
            continue
          }
          const at = Date.parse(mapped.right.created_at)
          if (at < from || at >= windowTo || at < windowFrom) continue
          if (at === from && seen.has(mapped.right.id)) continue
          // Offset pages over a newest-first list shift when a record lands inside the window mid-read (a
          // late publisher): the record at a page boundary then comes twice. It is one record, kept once.
          if (collected.has(mapped.right.id)) continue
          collected.add(mapped.right.id)
          candidates.push({ raw, activity: mapped.right, at })
        }
        if (page.continuation === undefined) break
        if (enough()) {
          cutShort = true
          break
        }
        if (JSON.stringify(page.continuation) === JSON.stringify(continuation)) {
          return yield* new ProviderBadResponse({
            integration: adapter.integration,
            message: `${adapter.integration} ${stream.name} answered the continuation it was asked with; refusing to loop`,
          })
        }
        continuation = page.continuation
        call = yield* stream.paging.next(continuation, query)
      }
      if (cutShort) break
      windowsRead++
      // Windows go oldest first: once enough is in hand, later windows hold only newer records.
      if (candidates.length >= limit) break
    }
    const complete = windowsRead === windows.length

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
        const advancedTo = to - Math.max(QUIET_LOOKBACK_MS, Duration.toMillis(settle))
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
    const mapped = [
      ...rejectedNew.map((r) => Either.left(r.rejected)),
      ...taken.map((c) => Either.right(c.activity)),
    ]
    return {
      records,
      mapped,
      next: positionAfter(records.length),
      hasMore: candidates.length > taken.length || !complete,
      after: positionAfter,
    }
  })

/** One page of one stream: the provider request(s), decoding and mapping, and the position after it. */
export const readStreamPage = (
  adapter: ProviderAdapter,
  stream: AnyActivityStream,
  request: StreamPageRequest,
): Effect.Effect<StreamPage, ProviderError, ProviderServices> =>
  stream.tail.mode === "cursor"
    ? readCursorPage(adapter, stream, request)
    : (readWatermarkPage(adapter, stream, request as StreamPageRequest<Watermark>) as Effect.Effect<
        StreamPage,
        ProviderError,
        ProviderServices
      >)
