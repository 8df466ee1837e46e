import { Clock, Duration, Effect, Either, Fiber, Random, Ref, Schedule } from "effect"
import type { AccountConfig, ConnectorConfig } from "../config/ConnectorConfig.ts"
import { durationMs } from "../config/ConnectorConfig.ts"
import type { ActivityFilters } from "../domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { ProviderError } from "../http/ProviderError.ts"
import { forAccount, publishDuration, timed } from "../observability/metrics.ts"
import { adapterOf } from "../providers/adapterOf.ts"
import type { ProviderServices } from "../providers/ProviderAdapter.ts"
import { decodePositions, pageAccount, positionsFrom, storedPositions } from "../providers/pageAccount.ts"
import type { AccountPublisher } from "./AccountPublisher.ts"
import { type Checkpoint, storedPositionsOf, withStoredPositions } from "./Checkpoint.ts"
import { CheckpointStore } from "./CheckpointStore.ts"
import { KafkaFailure } from "./KafkaFailure.ts"
import { withRetentionGap } from "./retentionGap.ts"
import { newer, routeRecords } from "./routePage.ts"
import { shardCount, shardOf } from "./Shard.ts"
import { type AccountStreamHealth, initialHealth, StreamHealth } from "./StreamHealth.ts"
import { CheckpointUnreadable } from "./StreamStopped.ts"

export interface AccountStreamSettings {
  readonly kafka: ConnectorConfig["kafka"]
  readonly poll: ConnectorConfig["poll"]
  /** This process, as written into the checkpoints it commits (`owner`): which run of which instance wrote it. */
  readonly instanceId: string
  /** Backoff after a failure, growing to `maxBackoff`; the stream never gives up on its own. */
  readonly minBackoff?: Duration.DurationInput
  readonly maxBackoff?: Duration.DurationInput
}

/** The filters a new stream starts with: the account's organisation and where `start_from` says. */
export const startFilters = (
  account: IntegratedAccount,
  config: AccountConfig,
  now: Date,
): ActivityFilters => {
  const organization = account.settings.organization_id
  const base: ActivityFilters = organization === undefined ? {} : { organization_id: organization }
  if (config.start_from === "earliest") return base
  const from = config.start_from === "now" ? now : new Date(config.start_from)
  return { ...base, created_at: from.toISOString() }
}

const freshCheckpoint = (account: IntegratedAccount, filters: ActivityFilters, now: Date): Checkpoint => ({
  version: 1,
  integrated_account_id: account.id,
  integration: account.integration,
  filters,
  updated_at: now.toISOString(),
  sequence: 0,
  published_total: 0,
  dead_lettered_total: 0,
  gaps: [],
})

const nowIso = Effect.map(Clock.currentTimeMillis, (ms) => new Date(ms).toISOString())

/**
 * How stale a checkpoint's `read_through` may grow before a caught-up read with nothing new commits one just
 * to move it: a day, far inside the shortest retention a provider states (90 days), so a quiet account is
 * never taken for one that stopped reading, and a quiet cursor stream costs one transaction a day, not one a
 * poll.
 */
const READ_THROUGH_REFRESH_MS = 24 * 60 * 60 * 1000

type StreamError = ProviderError | KafkaFailure | CheckpointUnreadable

/**
 * Failures this stream cannot mend by retrying: its shard's producer was fenced (the shard is the pipeline's to
 * restart, or another instance's now), its checkpoint cannot be read, the integration's provider client does
 * not exist yet, or the provider handed back a continuation the connector will not follow (a retry re-reads
 * from the same checkpoint and is handed the same one).
 */
const isFinal = (error: StreamError) =>
  (error._tag === "KafkaFailure" && error.fenced) ||
  error._tag === "CheckpointUnreadable" ||
  error._tag === "ProviderNotImplemented" ||
  error._tag === "ContinuationRefused"

/**
 * Tails one integrated account forever: page from the provider through the shared paging function, map,
 * route, and publish the page together with the checkpoint after it in one transaction. When caught up it
 * waits the poll interval (with jitter) and asks again from the checkpointed position, which only yields
 * newer activity. A failure (provider or Kafka) is retried with backoff from the last committed checkpoint,
 * so nothing is skipped and nothing published twice.
 *
 * The stream runs only while this instance holds the account's shard, and publishes through the shard's
 * producer: a fenced producer ends the stream (the pipeline stops or restarts the whole shard).
 */
export const runAccountStream = (
  account: IntegratedAccount,
  config: AccountConfig,
  resumeFrom: Checkpoint | undefined,
  publisher: AccountPublisher,
  settings: AccountStreamSettings,
) =>
  Effect.gen(function* () {
    const adapter = yield* adapterOf(account)
    const health = yield* StreamHealth
    // Provided once here, so each page's provider calls do not add to the stream's own requirements.
    const providerClients = yield* Effect.context<ProviderServices>()
    const intervalMs = Math.max(
      durationMs(config.poll_interval ?? settings.poll.interval),
      adapter.minPollInterval === undefined ? 0 : Duration.toMillis(adapter.minPollInterval),
    )
    const store = yield* CheckpointStore
    const startedAt = new Date(yield* Clock.currentTimeMillis)
    const committed = yield* Ref.make<Checkpoint>(
      resumeFrom ?? freshCheckpoint(account, startFilters(account, config, startedAt), startedAt),
    )
    const gapChecked = yield* Ref.make(false)
    const shard = shardOf(account.id, shardCount(settings.kafka))
    // A checkpoint from before streams were told apart knows only the account's newest: each stream starts
    // from it, so every stream's lag is reported (conservatively) from the first page on.
    const newestByStreamOf = (checkpoint: Checkpoint): Readonly<Record<string, string>> =>
      checkpoint.newest_by_stream ??
      (checkpoint.last_created_at === undefined
        ? {}
        : Object.fromEntries(
            adapter.streams.map((stream) => [stream.name, checkpoint.last_created_at ?? ""]),
          ))
    // A caught-up read has not read what a watermark stream's settle window leaves for a later poll.
    const settleMs = Math.max(
      0,
      ...adapter.streams.map((stream) =>
        stream.tail.mode === "watermark" && stream.tail.settle !== undefined
          ? Duration.toMillis(stream.tail.settle)
          : 0,
      ),
    )
    const setHealth = (patch: Partial<AccountStreamHealth>) =>
      health.update(account.id, (current) => ({ ...(current ?? initialHealth(account)), ...patch }))
    yield* setHealth({ state: "starting" })
    // After a failed publish the transaction's outcome is unknown (the commit may have landed and only its
    // answer got lost), or the shard's producer was replaced since this account read its checkpoint: the
    // stream then resumes from the checkpoint Kafka holds, not from memory.
    const inDoubt = yield* Ref.make(false)

    /** This account's checkpoint in Kafka, read to a stable end; never one older than this process committed. */
    const storedCheckpoint = Effect.gen(function* () {
      const read = yield* store.readShard(shard)
      const unreadable = read.unreadable.get(account.id)
      if (unreadable !== undefined) {
        return yield* new CheckpointUnreadable({
          message: `the newest checkpoint of account ${account.id} in ${settings.kafka.topics.checkpoints} does not decode (${unreadable}); not resuming from an older one`,
        })
      }
      const stored = read.latest.get(account.id)
      const known = yield* Ref.get(committed)
      if ((stored?.sequence ?? 0) < known.sequence) {
        // Cannot happen once the read waits for a stable end; if it does, reading again is the safe answer.
        return yield* new KafkaFailure({
          operation: "read back the checkpoint",
          cause: new Error(
            `read sequence ${stored?.sequence ?? "none"}, but this process committed sequence ${known.sequence}`,
          ),
        })
      }
      return stored
    })

    const resyncFromKafka = Effect.gen(function* () {
      // A ready producer has fenced (or outlived) whatever transaction of the shard was open: the read sees
      // whether the one in doubt committed, and whatever another holder of the shard committed before this
      // producer started (the publisher accepts this account's next checkpoint only after this read).
      yield* publisher.ready
      const stored = yield* storedCheckpoint
      if (stored) yield* Ref.set(committed, stored)
      yield* Ref.set(inDoubt, false)
      yield* Effect.logInfo("resynchronised with the checkpoint in Kafka")
    })

    /**
     * Commits a checkpoint (after `messages`, if any); the sequence moves on by one. A failure leaves the
     * outcome in doubt, resolved by reading Kafka before the next step.
     */
    const commit = (messages: Parameters<AccountPublisher["publish"]>[0], checkpoint: Checkpoint) =>
      Effect.gen(function* () {
        const next: Checkpoint = {
          ...checkpoint,
          sequence: checkpoint.sequence + 1,
          owner: settings.instanceId,
          updated_at: yield* nowIso,
        }
        yield* publisher.publish(messages, next).pipe(
          timed(forAccount(publishDuration, account)),
          Effect.tapError(() => Ref.set(inDoubt, true)),
        )
        yield* Ref.set(committed, next)
        return next
      })

    /**
     * Before the first page: whether the checkpoint read through an instant the provider no longer keeps. A gap
     * is committed (and logged) before anything is read after it.
     */
    const checkGap = Effect.gen(function* () {
      const checkpoint = yield* Ref.get(committed)
      const gapped = withRetentionGap(checkpoint, adapter.historyRetention, yield* Clock.currentTimeMillis)
      if (gapped) {
        yield* commit([], gapped)
        const gap = gapped.gaps.at(-1)
        yield* Effect.logError(
          "history gap: the provider no longer keeps what the checkpoint would read next; resuming from the oldest it keeps",
        ).pipe(Effect.annotateLogs({ from: gap?.from, to: gap?.to, gaps_total: gapped.gaps.length }))
      }
      yield* Ref.set(gapChecked, true)
      yield* setHealth({ gaps_total: (gapped ?? checkpoint).gaps.length })
    })

    /** Every stream's position; a version-1 checkpoint's single position is its one stream's. */
    const decodeCheckpointPositions = (checkpoint: Checkpoint) =>
      Either.match(decodePositions(adapter, positionsFrom(adapter, storedPositionsOf(checkpoint))), {
        onLeft: (problem) =>
          Effect.fail(
            new CheckpointUnreadable({
              message: `the checkpoint of account ${account.id} holds a position this version of the ${account.integration} adapter cannot resume from: ${problem}`,
            }),
          ),
        onRight: Effect.succeed,
      })

    /** The page after `checkpoint`'s positions, and when its read began (what `read_through` may claim). */
    const readAfter = (checkpoint: Checkpoint) =>
      Effect.gen(function* () {
        const positions = yield* decodeCheckpointPositions(checkpoint)
        const readStartedMs = yield* Clock.currentTimeMillis
        const page = yield* pageAccount(adapter, {
          account,
          filters: checkpoint.filters,
          positions,
          limit: settings.poll.page_size,
        }).pipe(Effect.provide(providerClients))
        return { page, readStartedMs }
      })

    /**
     * The next page, read while the previous one's transaction was in flight, so that the provider's latency and
     * the broker's do not add up per page. `after` is the checkpoint that transaction committed: the read is
     * used only if it is still the stream's committed checkpoint when the next step begins (anything else —
     * a resync, a gap's restart — moved it, and the read is dropped). A failed commit drops it too. Reading is
     * all the prefetch does: nothing of it reaches Kafka but through the next step's own transaction.
     */
    let ahead:
      | {
          readonly after: Checkpoint
          readonly fiber: Fiber.Fiber<Effect.Effect.Success<ReturnType<typeof readAfter>>, StreamError>
        }
      | undefined
    const dropAhead = Effect.suspend(() => {
      const dropped = ahead
      ahead = undefined
      return dropped ? Fiber.interrupt(dropped.fiber) : Effect.void
    })

    /** One page: fetch, map, publish + checkpoint. Returns whether the provider has more right now. */
    const step = Effect.gen(function* () {
      if (yield* Ref.get(inDoubt)) {
        yield* dropAhead
        yield* resyncFromKafka
      }
      if (!(yield* Ref.get(gapChecked))) yield* checkGap
      const checkpoint = yield* Ref.get(committed)
      const prefetched = ahead?.after === checkpoint ? ahead.fiber : undefined
      if (prefetched) ahead = undefined
      else yield* dropAhead
      const { page, readStartedMs } = yield* prefetched ? Fiber.join(prefetched) : readAfter(checkpoint)
      const { messages, published, deadLettered, newestCreatedAt, newestByStream } = routeRecords(
        account,
        page.records,
        settings.kafka,
      )
      const stored = storedPositions(adapter, page.positions)
      const moved = JSON.stringify(stored) !== JSON.stringify(storedPositionsOf(checkpoint))
      const readThrough = page.hasMore ? undefined : new Date(readStartedMs - settleMs).toISOString()
      // Nothing new and the position where it was (a quiet cursor stream): committed anyway once what the
      // checkpoint says was read is a day old, so the retention check never takes a quiet account for a
      // stale one.
      const knownThrough = newer(checkpoint.read_through, checkpoint.last_created_at)
      const refresh =
        readThrough !== undefined &&
        (knownThrough === undefined ||
          Date.parse(readThrough) - Date.parse(knownThrough) >= READ_THROUGH_REFRESH_MS)
      let current = checkpoint
      if (messages.length > 0 || moved || refresh) {
        const after: Checkpoint = {
          ...withStoredPositions(checkpoint, stored),
          last_created_at: newer(checkpoint.last_created_at, newestCreatedAt),
          read_through: newer(checkpoint.read_through, readThrough),
          newest_by_stream: newestPerStream(newestByStreamOf(checkpoint), newestByStream),
          published_total: checkpoint.published_total + published,
          dead_lettered_total: checkpoint.dead_lettered_total + deadLettered,
        }
        // The read from `after`'s positions and filters: what the next step would ask for once it commits.
        const next = page.hasMore ? yield* Effect.fork(readAfter(after)) : undefined
        current = yield* commit(messages, after).pipe(
          Effect.onError(() => (next ? Fiber.interrupt(next) : Effect.void)),
        )
        if (next) ahead = { after: current, fiber: next }
      }
      if (deadLettered > 0)
        yield* Effect.logWarning("records dead-lettered").pipe(Effect.annotateLogs({ count: deadLettered }))
      yield* setHealth({
        state: page.hasMore ? "streaming" : "caught_up",
        last_page_at: yield* nowIso,
        ...(current.last_created_at === undefined ? {} : { last_created_at: current.last_created_at }),
        newest_by_stream: newestByStreamOf(current),
        consecutive_failures: 0,
        published_total: current.published_total,
        dead_lettered_total: current.dead_lettered_total,
        gaps_total: current.gaps.length,
      })
      return page.hasMore
    }).pipe(
      // The provider no longer keeps history this old: restart from the earliest it has, and say so.
      Effect.catchTag("ProviderHistoryExpired", (expired) =>
        Effect.gen(function* () {
          const checkpoint = yield* Ref.get(committed)
          const { created_at: _, ...withoutStart } = checkpoint.filters
          const gap = { detected_at: yield* nowIso, reason: expired.message }
          const restarted = yield* commit([], {
            ...withStoredPositions(checkpoint, storedPositions(adapter, {})),
            filters: withoutStart,
            gaps: [...checkpoint.gaps, gap],
          })
          yield* Effect.logError(
            "history gap: checkpoint older than the provider's retention; resuming from the earliest available",
          ).pipe(Effect.annotateLogs({ reason: expired.message, gaps_total: restarted.gaps.length }))
          yield* setHealth({ gaps_total: restarted.gaps.length })
          return true
        }),
      ),
    )

    const pollDelay = Effect.map(Random.nextRange(-1, 1), (r) =>
      Duration.millis(Math.max(0, Math.round(intervalMs * (1 + settings.poll.jitter * r)))),
    )

    const backoff = Schedule.exponential(settings.minBackoff ?? "1 second", 2).pipe(
      Schedule.jittered,
      Schedule.union(Schedule.spaced(settings.maxBackoff ?? "5 minutes")),
      // A provider that said how long to stay away (a Retry-After past ProviderHttp's own wait, a daily
      // allocation spent) is not asked again sooner, whatever the backoff has reached.
      Schedule.intersect(Schedule.identity<StreamError>()),
      Schedule.modifyDelay(([, error], delay) =>
        error._tag === "ProviderRateLimited"
          ? Duration.max(delay, Duration.millis(error.retryAfterMs))
          : delay,
      ),
      // The schedule sees every failure, final ones too: only those that will be retried count as retrying.
      Schedule.tapInput((error: StreamError) =>
        Effect.gen(function* () {
          if (isFinal(error)) return
          yield* health.update(account.id, (current) => {
            const base = current ?? initialHealth(account)
            return {
              ...base,
              state: "retrying",
              last_error: error.message,
              consecutive_failures: base.consecutive_failures + 1,
            }
          })
          yield* Effect.logWarning("account stream failed; retrying from the last checkpoint").pipe(
            Effect.annotateLogs({ error: error.message }),
          )
        }),
      ),
    )

    yield* Effect.logInfo(resumeFrom ? "resuming from checkpoint" : "starting new stream")
    const loop = step.pipe(
      Effect.flatMap((hasMore) => (hasMore ? Effect.void : Effect.flatMap(pollDelay, Effect.sleep))),
      Effect.forever,
    )
    return yield* loop.pipe(Effect.retry({ schedule: backoff, while: (e) => !isFinal(e) }))
  }).pipe(
    Effect.annotateLogs({ integrated_account_id: account.id, integration: account.integration }),
    Effect.withLogSpan("account"),
  )

const newestPerStream = (
  before: Readonly<Record<string, string>> | undefined,
  page: Readonly<Record<string, string>>,
): Record<string, string> => {
  const merged: Record<string, string> = { ...before }
  for (const [stream, createdAt] of Object.entries(page))
    merged[stream] = newer(merged[stream], createdAt) ?? createdAt
  return merged
}
