import { Clock, Effect, Either, ParseResult, Schema } from "effect"
import type { Activity } from "../domain/Activity.ts"
import type { ActivityFilters } from "../domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import { type ProviderError, ProviderNotImplemented } from "../http/ProviderError.ts"
import { type AnyActivityStream, positionSchema } from "./ActivityStream.ts"
import type { RejectedRecord } from "./mapRecord.ts"
import type { ProviderAdapter, ProviderServices } from "./ProviderAdapter.ts"
import { postFilter } from "./postFilter.ts"
import { readStreamPage, type StreamPage } from "./readStream.ts"

/** Each stream's position, by stream name; a stream without one starts where the filters say. */
export type StreamPositions = Readonly<Record<string, unknown>>

/** One record of an account page: which stream it came from, the raw record, and its Activity or why not. */
export interface AccountRecord {
  readonly stream: string
  readonly raw: unknown
  readonly mapped: Either.Either<Activity, RejectedRecord>
  /** When the connector fetched the provider page the record came from (the Clock's, as a UTC instant). */
  readonly observedAt: string
}

export interface AccountPage {
  /** Records that passed the filters (and records that could not be mapped), in `created_at` order across streams. */
  readonly records: ReadonlyArray<AccountRecord>
  /** Every stream's position after this page. */
  readonly positions: StreamPositions
  /** True when some stream has more right now. */
  readonly hasMore: boolean
  /** How many provider records this page moved past, filtered out or not: progress, not output. */
  readonly consumed: number
}

export interface AccountPageRequest {
  readonly account: IntegratedAccount
  readonly filters: ActivityFilters
  readonly positions: StreamPositions
  readonly limit: number
}

/**
 * Positions as checkpoints and cursors hold them (`storedPositions`) read back: `{ streams: { <name>: position } }`,
 * or a bare position, which belongs to the integration's one stream (the form from before streams existed,
 * still written for single-stream integrations).
 */
export const positionsFrom = (adapter: ProviderAdapter, stored: unknown): StreamPositions => {
  if (stored === undefined || stored === null) return {}
  if (typeof stored === "object" && "streams" in stored)
    return (stored as { streams: StreamPositions }).streams
  const only = adapter.streams.length === 1 ? adapter.streams[0] : undefined
  return only === undefined ? {} : { [only.name]: stored }
}

/**
 * Positions as checkpoints and cursors hold them. An integration with one stream keeps the bare position, as
 * before streams existed, so the previous release can still read what this one writes; several are keyed.
 */
export const storedPositions = (adapter: ProviderAdapter, positions: StreamPositions): unknown => {
  const only = adapter.streams.length === 1 ? adapter.streams[0] : undefined
  return only === undefined ? { streams: positions } : positions[only.name]
}

/** Decodes each stream's position with its schema; names of streams the integration no longer has are dropped. */
export const decodePositions = (
  adapter: ProviderAdapter,
  positions: StreamPositions,
): Either.Either<StreamPositions, string> => {
  const decoded: Record<string, unknown> = {}
  for (const stream of adapter.streams) {
    const value = positions[stream.name]
    if (value === undefined) continue
    const result = Schema.decodeUnknownEither(positionSchema(stream))(value)
    if (Either.isLeft(result))
      return Either.left(`${stream.name}: ${ParseResult.TreeFormatter.formatErrorSync(result.left)}`)
    decoded[stream.name] = result.right
  }
  return Either.right(decoded)
}

const NEVER = Number.NEGATIVE_INFINITY

/** The instant a record sorts at: its Activity's, or (not mappable) the record before it in its stream. */
const instants = (page: StreamPage): number[] => {
  let previous = NEVER
  return page.mapped.map((mapped) => {
    if (Either.isRight(mapped)) previous = Date.parse(mapped.right.created_at)
    return previous
  })
}

interface Lane {
  readonly stream: AnyActivityStream
  readonly page: StreamPage
  readonly observedAt: string
  readonly at: ReadonlyArray<number>
  taken: number
  cut: boolean
}

/**
 * The page loop, once: an account's streams paged from their positions with the filters, one provider page
 * per stream, merged oldest first. Used by the endpoint, the pipeline and the backfill alike.
 *
 * Streams interleave by `created_at`; each stream's own order is kept. A stream whose position can stand
 * inside a page (watermark streams) stops where the next record could be preceded by one another stream has
 * not read yet, or where the page is full; a provider-cursor stream's page is taken whole.
 */
export const pageAccount = (
  adapter: ProviderAdapter,
  request: AccountPageRequest,
): Effect.Effect<AccountPage, ProviderError, ProviderServices> =>
  Effect.gen(function* () {
    const { account, filters, limit } = request
    if (adapter.streams.length === 0) {
      return yield* new ProviderNotImplemented({
        integration: adapter.integration,
        message: `the ${adapter.integration} provider client is not implemented yet`,
      })
    }
    const active = adapter.streams.filter(
      (stream) => stream.enabledFor?.(account.settings) !== false && stream.canMatch?.(filters) !== false,
    )
    const pages = yield* Effect.forEach(
      active,
      (stream) =>
        readStreamPage(adapter, stream, {
          account,
          filters,
          position: request.positions[stream.name],
          limit,
        }).pipe(Effect.zip(Clock.currentTimeMillis)),
      { concurrency: "unbounded" },
    )
    const lanes: Lane[] = active.map((stream, i) => {
      const [page, fetchedMs] = pages[i] as [StreamPage, number]
      return {
        stream,
        page,
        observedAt: new Date(fetchedMs).toISOString(),
        at: instants(page),
        taken: 0,
        cut: false,
      }
    })

    const keeps = new Map(active.map((stream) => [stream.name, postFilter(filters, stream.pushedDown)]))
    const records: AccountRecord[] = []
    let emitted = 0
    let stopped = false
    // A lane with more to come whose page is used up: nothing after its last record may go before it is read.
    const blockedAt = (except: Lane) =>
      Math.min(
        ...lanes
          .filter((lane) => lane !== except && lane.page.hasMore && lane.taken >= lane.page.records.length)
          .map((lane) => lane.at.at(-1) ?? NEVER),
      )
    for (;;) {
      const open = lanes.filter((lane) => !lane.cut && lane.taken < lane.page.records.length)
      if (open.length === 0) break
      const lane = open.reduce((earliest, candidate) =>
        (candidate.at[candidate.taken] ?? NEVER) < (earliest.at[earliest.taken] ?? NEVER)
          ? candidate
          : earliest,
      )
      const at = lane.at[lane.taken] ?? NEVER
      if (lane.page.after !== undefined && (stopped || emitted >= limit || at > blockedAt(lane))) {
        stopped = true
        lane.cut = true
        continue
      }
      const raw = lane.page.records[lane.taken]
      const mapped = lane.page.mapped[lane.taken] as Either.Either<Activity, RejectedRecord>
      lane.taken++
      if (Either.isRight(mapped) && !(keeps.get(lane.stream.name) ?? (() => true))(mapped.right)) continue
      records.push({ stream: lane.stream.name, raw, mapped, observedAt: lane.observedAt })
      emitted++
    }

    const positions: Record<string, unknown> = { ...request.positions }
    let hasMore = false
    let consumed = 0
    for (const lane of lanes) {
      const whole = lane.taken >= lane.page.records.length
      positions[lane.stream.name] =
        whole || lane.page.after === undefined ? lane.page.next : lane.page.after(lane.taken)
      if (positions[lane.stream.name] === undefined) delete positions[lane.stream.name]
      hasMore ||= lane.page.hasMore || !whole
      consumed += lane.taken
    }
    return { records, positions, hasMore, consumed }
  })
