import { Clock, Effect, type Either } from "effect"
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
import { makeWatermarkRead, unmovedPosition, watermarkBounds } from "./watermarkRead.ts"

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

/** `[from, to)` in ranges of at most `width`, oldest first. */
const windowsOf = (from: number, to: number, width: number | undefined): Array<readonly [number, number]> => {
  if (width === undefined || to - from <= width) return [[from, to]]
  const windows: Array<readonly [number, number]> = []
  for (let start = from; start < to; start += width) windows.push([start, Math.min(to, start + width)])
  return windows
}

/**
 * Every provider page of one window, each record offered to `take` as it comes; stops early once `enough`.
 * Answers whether the window was read to its end.
 */
const readWindow = (
  adapter: ProviderAdapter,
  stream: AnyActivityStream,
  account: IntegratedAccount,
  query: PageQuery,
  take: (raw: unknown) => void,
  enough: () => boolean,
) =>
  Effect.gen(function* () {
    let call = stream.paging.first(query)
    let continuation: unknown
    for (let pages = 0; ; pages++) {
      if (pages >= MAX_PAGES_PER_READ) {
        return yield* new ProviderBadResponse({
          integration: adapter.integration,
          message: `${adapter.integration} ${stream.name} did not end within ${MAX_PAGES_PER_READ} pages of one window`,
        })
      }
      const { url, answer } = yield* send(stream, account)(call)
      const page = yield* stream.paging.read(answer, query, { url, continuation })
      for (const raw of page.records) take(raw)
      if (page.continuation === undefined) return true
      if (enough()) return false
      if (JSON.stringify(page.continuation) === JSON.stringify(continuation)) {
        return yield* new ProviderBadResponse({
          integration: adapter.integration,
          message: `${adapter.integration} ${stream.name} answered the continuation it was asked with; refusing to loop`,
        })
      }
      continuation = page.continuation
      call = yield* stream.paging.next(continuation, query)
    }
  })

/**
 * A stream tailed by a watermark: reads from the position's instant (inclusive) up to now less the settle
 * window, every provider page of every window, drops what was already emitted at the boundary, sorts by
 * time and keeps the oldest `limit` (the bookkeeping is `makeWatermarkRead`'s). Continuations live only inside
 * this read.
 */
const readWatermarkPage = (
  adapter: ProviderAdapter,
  stream: AnyActivityStream,
  request: StreamPageRequest<Watermark>,
): Effect.Effect<StreamPage<Watermark>, ProviderError, ProviderServices> =>
  Effect.gen(function* () {
    const { account, filters, limit } = request
    const now = yield* Clock.currentTimeMillis
    const bounds = watermarkBounds(stream, request.position, filters, now)
    if (stream.canMatch?.(filters) === false || bounds.from >= bounds.to) {
      return { records: [], mapped: [], next: unmovedPosition(bounds, request.position), hasMore: false }
    }
    const read = makeWatermarkRead(bounds, limit, stream.order)
    const windows = windowsOf(bounds.from, bounds.to, stream.paging.maxWindowMs)
    let windowsRead = 0
    for (const window of windows) {
      const query: PageQuery = {
        filters,
        limit,
        from: window[0],
        to: window[1],
        now,
        settings: account.settings,
      }
      const take = (raw: unknown) => read.offer(raw, mapRecord(stream, account, raw), window)
      if (!(yield* readWindow(adapter, stream, account, query, take, read.enough))) break
      windowsRead++
      if (read.full()) break
    }
    return read.result(windowsRead === windows.length)
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
