import { Clock, Duration, Effect, Either, Fiber, Metric, Random, Ref, Schedule } from "effect"
import type { AccountConfig, ConnectorConfig } from "../config/ConnectorConfig.ts"
import { durationMs } from "../config/ConnectorConfig.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import { forAccount, publishDuration, readSlotWait, timed } from "../observability/metrics.ts"
import { adapterOf } from "../providers/adapterOf.ts"
import type { ProviderAdapter, ProviderServices } from "../providers/ProviderAdapter.ts"
import {
  type AccountPage,
  decodePositions,
  pageAccount,
  positionsFrom,
  storedPositions,
} from "../providers/pageAccount.ts"
import type { AccountPublisher } from "./AccountPublisher.ts"
import { freshCheckpoint, startFilters } from "./accountCheckpoints.ts"
import {
  initialState,
  isFinal,
  type StreamAction,
  type StreamError,
  type StreamEvent,
  type StreamFacts,
  step,
} from "./accountStep.ts"
import { type Checkpoint, storedPositionsOf } from "./Checkpoint.ts"
import { CheckpointStore } from "./CheckpointStore.ts"
import type { FairPermits } from "./fairPermits.ts"
import { routeRecords } from "./routePage.ts"
import { shardCount, shardOf } from "./Shard.ts"
import { type AccountStreamHealth, initialHealth, StreamHealth } from "./StreamHealth.ts"
import { CheckpointUnreadable } from "./StreamStopped.ts"

export interface AccountStreamSettings {
  readonly kafka: ConnectorConfig["kafka"]
  readonly poll: ConnectorConfig["poll"]
  /** This process, as written into the checkpoints it commits (`owner`): which run of which instance wrote it. */
  readonly instanceId: string
  /**
   * The process's page reads in flight (`poll.concurrent_reads`), shared by all its streams; none: unbounded.
   * A read holds its slot at most `readSlotHeld`.
   */
  readonly readSlots?: FairPermits
  /** Backoff after a failure, growing to `maxBackoff`; the stream never gives up on its own. */
  readonly minBackoff?: Duration.DurationInput
  readonly maxBackoff?: Duration.DurationInput
}

/** A page and when its read began (what `read_through` may claim). */
interface PageReadAt {
  readonly page: AccountPage
  readonly readStartedMs: number
}

/** The interpreter's handle on a page read ahead: the fiber reading it. */
type ReadAhead = Fiber.RuntimeFiber<PageReadAt, StreamError>

/** What the stream's integration fixes for the state machine. */
const streamFacts = (adapter: ProviderAdapter, owner: string): StreamFacts => ({
  owner,
  streamNames: adapter.streams.map((stream) => stream.name),
  settleMs: Math.max(
    0,
    ...adapter.streams.map((stream) =>
      stream.tail.mode === "watermark" && stream.tail.settle !== undefined
        ? Duration.toMillis(stream.tail.settle)
        : 0,
    ),
  ),
  historyRetention: adapter.historyRetention,
  noPositions: storedPositions(adapter, {}),
})

/** The ports the stream's actions are carried out through. */
interface StreamPorts {
  readonly account: IntegratedAccount
  readonly adapter: ProviderAdapter
  readonly settings: AccountStreamSettings
  readonly publisher: AccountPublisher
  /** The page after a checkpoint's positions and filters. */
  readonly readAfter: (checkpoint: Checkpoint) => Effect.Effect<PageReadAt, StreamError>
  /** The account's checkpoint in Kafka, read to a stable end once the publisher is ready. */
  readonly readStored: Effect.Effect<Checkpoint | undefined, StreamError>
  readonly health: StreamHealth
  readonly setHealth: (patch: Partial<AccountStreamHealth>) => Effect.Effect<void>
  readonly pollDelay: Effect.Effect<Duration.Duration>
}

/**
 * Tails one integrated account forever: page from the provider through the shared paging function, map,
 * route, and publish the page together with the checkpoint after it in one transaction. When caught up it
 * waits the poll interval (with jitter) and asks again from the checkpointed position, which only yields
 * newer activity. A failure (provider or Kafka) is retried with backoff from the last committed checkpoint,
 * so nothing is skipped and nothing published twice.
 *
 * The stream runs only while this instance holds the account's shard, and publishes through the shard's
 * producer: a fenced producer ends the stream (the pipeline stops or restarts the whole shard).
 *
 * What to do next is `step`'s to decide (accountStep.ts); this carries its actions out and feeds back what came
 * of them, one step of the loop (a page, or a failure) at a time.
 */
export const runAccountStream = (
  account: IntegratedAccount,
  config: AccountConfig,
  resumeFrom: Checkpoint | undefined,
  publisher: AccountPublisher,
  settings: AccountStreamSettings,
) =>
  Effect.gen(function* () {
    const ports = yield* streamPorts(account, config, publisher, settings)
    const facts = streamFacts(ports.adapter, settings.instanceId)
    const startedAt = new Date(yield* Clock.currentTimeMillis)
    const machine = yield* Ref.make(
      initialState<ReadAhead>(
        resumeFrom ?? freshCheckpoint(account, startFilters(account, config, startedAt), startedAt),
      ),
    )
    const advance = (event: StreamEvent<ReadAhead>) =>
      Ref.modify(machine, (state) => {
        const next = step(facts, state, event)
        return [next.actions, next.state] as const
      })
    /** Carries out what `event` calls for, and what comes of that, to the end of the step. */
    const drive = (event: StreamEvent<ReadAhead>) =>
      Effect.gen(function* () {
        const pending = [...(yield* advance(event))]
        for (let action = pending.shift(); action !== undefined; action = pending.shift()) {
          const outcome = yield* carryOut(ports, action)
          if (outcome !== undefined) pending.unshift(...(yield* advance(outcome)))
        }
      })
    yield* drive({ _tag: "Started", resumed: resumeFrom !== undefined })
    const nextStep = Effect.flatMap(Clock.currentTimeMillis, (nowMs) => drive({ _tag: "StepBegan", nowMs }))
    // Retried step by step, not the loop as a whole: a step that succeeds starts the backoff again from its
    // minimum, so a failure days after the last one waits the first delay, not the longest reached before.
    return yield* nextStep.pipe(
      Effect.retry({ schedule: retrySchedule(ports), while: (e) => !isFinal(e) }),
      Effect.forever,
    )
  }).pipe(
    Effect.annotateLogs({ integrated_account_id: account.id, integration: account.integration }),
    Effect.withLogSpan("account"),
  )

const streamPorts = (
  account: IntegratedAccount,
  config: AccountConfig,
  publisher: AccountPublisher,
  settings: AccountStreamSettings,
) =>
  Effect.gen(function* () {
    const adapter = yield* adapterOf(account)
    const health = yield* StreamHealth
    // Provided once here, so each page's provider calls do not add to the stream's own requirements.
    const providerClients = yield* Effect.context<ProviderServices>()
    const store = yield* CheckpointStore
    const intervalMs = Math.max(
      durationMs(config.poll_interval ?? settings.poll.interval),
      adapter.minPollInterval === undefined ? 0 : Duration.toMillis(adapter.minPollInterval),
    )
    const ports: StreamPorts = {
      account,
      adapter,
      settings,
      publisher,
      health,
      readAfter: (checkpoint) =>
        inReadSlot(
          settings.readSlots,
          readAfter(adapter, account, settings, checkpoint).pipe(Effect.provide(providerClients)),
        ),
      readStored: Effect.zipRight(
        publisher.ready,
        storedCheckpoint(store, account, shardOf(account.id, shardCount(settings.kafka)), settings),
      ),
      setHealth: (patch) =>
        health.update(account.id, (current) => ({ ...(current ?? initialHealth(account)), ...patch })),
      pollDelay: Effect.map(Random.nextRange(-1, 1), (r) =>
        Duration.millis(Math.max(0, Math.round(intervalMs * (1 + settings.poll.jitter * r)))),
      ),
    }
    return ports
  })

/**
 * How long a page read holds its slot at most. Past that it goes on without one, so a provider that is slow or
 * stalls (up to `provider.request_timeout` per attempt) does not hold up the other accounts' reads; a page
 * read of a provider that answers in time (most take well under a second) keeps its slot to the end, which is
 * what bounds the pages in memory at once.
 */
const readSlotHeld = Duration.seconds(5)

/** `read` in one of the process's read slots, the wait for it recorded. */
const inReadSlot = <A, E, R>(slots: FairPermits | undefined, read: Effect.Effect<A, E, R>) =>
  slots === undefined
    ? read
    : Effect.flatMap(Clock.currentTimeMillis, (askedMs) =>
        slots.withPermit(
          Effect.zipRight(
            Effect.flatMap(Clock.currentTimeMillis, (nowMs) =>
              Metric.update(readSlotWait, (nowMs - askedMs) / 1000),
            ),
            read,
          ),
          { heldAtMost: readSlotHeld },
        ),
      )

/** This account's checkpoint in Kafka, read to a stable end; one that does not decode stops the stream. */
const storedCheckpoint = (
  store: CheckpointStore["Type"],
  account: IntegratedAccount,
  shard: number,
  settings: AccountStreamSettings,
) =>
  Effect.gen(function* () {
    const read = yield* store.readShard(shard)
    const unreadable = read.unreadable.get(account.id)
    if (unreadable !== undefined) {
      return yield* new CheckpointUnreadable({
        message: `the newest checkpoint of account ${account.id} in ${settings.kafka.topics.checkpoints} does not decode (${unreadable}); not resuming from an older one`,
      })
    }
    return read.latest.get(account.id)
  })

/** The page after `checkpoint`'s positions (a version-1 checkpoint's single position is its one stream's). */
const readAfter = (
  adapter: ProviderAdapter,
  account: IntegratedAccount,
  settings: AccountStreamSettings,
  checkpoint: Checkpoint,
) =>
  Effect.gen(function* () {
    const positions = yield* Either.match(
      decodePositions(adapter, positionsFrom(adapter, storedPositionsOf(checkpoint))),
      {
        onLeft: (problem) =>
          Effect.fail(
            new CheckpointUnreadable({
              message: `the checkpoint of account ${account.id} holds a position this version of the ${account.integration} adapter cannot resume from: ${problem}`,
            }),
          ),
        onRight: Effect.succeed,
      },
    )
    const readStartedMs = yield* Clock.currentTimeMillis
    const page = yield* pageAccount(adapter, {
      account,
      filters: checkpoint.filters,
      positions,
      limit: settings.poll.page_size,
    })
    return { page, readStartedMs }
  })

const at = <E>(event: (nowMs: number) => E) => Effect.map(Clock.currentTimeMillis, event)

/** One action through the ports; what came of it, as the state machine's next event (none: nothing to tell). */
const carryOut = (
  ports: StreamPorts,
  action: StreamAction<ReadAhead>,
): Effect.Effect<StreamEvent<ReadAhead> | undefined, StreamError> => {
  switch (action._tag) {
    case "Resync":
      // A ready producer has fenced (or outlived) whatever transaction of the shard was open: the read sees
      // whether the one in doubt committed, and whatever another holder of the shard committed before this
      // producer started (the publisher accepts this account's next checkpoint only after this read).
      return Effect.flatMap(ports.readStored, (stored) =>
        at((nowMs) => ({ _tag: "Resynced", stored, nowMs })),
      )
    case "ReadPage":
      return pageRead(ports, ports.readAfter(action.after))
    case "UseReadAhead":
      return pageRead(ports, Fiber.join(action.read))
    case "ReadAhead":
      return Effect.map(Effect.fork(ports.readAfter(action.after)), (read) => ({
        _tag: "ReadAheadStarted",
        after: action.after,
        read,
      }))
    case "DropReadAhead":
      return Effect.as(Fiber.interrupt(action.read), undefined)
    case "Commit":
      return ports.publisher.publish(action.messages, action.checkpoint).pipe(
        timed(forAccount(publishDuration, ports.account)),
        Effect.matchEffect({
          onFailure: (error) => Effect.succeed({ _tag: "CommitFailed", error } as const),
          onSuccess: () => at((nowMs) => ({ _tag: "Committed", nowMs }) as const),
        }),
      )
    case "SetHealth":
      return Effect.as(ports.setHealth(action.patch), undefined)
    case "Log":
      return Effect.as(log(action), undefined)
    case "StepDone":
      return Effect.as(
        action.caughtUp ? Effect.flatMap(ports.pollDelay, Effect.sleep) : Effect.void,
        undefined,
      )
    case "Fail":
      return Effect.fail(action.error)
  }
}

/** A page read (routed into its messages), or why not. */
const pageRead = (
  ports: StreamPorts,
  read: Effect.Effect<PageReadAt, StreamError>,
): Effect.Effect<StreamEvent<ReadAhead>> =>
  Effect.matchEffect(read, {
    onFailure: (error) => at((nowMs) => ({ _tag: "ReadFailed", error, nowMs }) as const),
    onSuccess: ({ page, readStartedMs }) =>
      at(
        (nowMs) =>
          ({
            _tag: "PageRead",
            page: {
              routed: routeRecords(ports.account, page.records, ports.settings.kafka),
              positions: storedPositions(ports.adapter, page.positions),
              hasMore: page.hasMore,
              readStartedMs,
            },
            nowMs,
          }) as const,
      ),
  })

const log = (action: Extract<StreamAction<unknown>, { _tag: "Log" }>) =>
  (action.level === "Info"
    ? Effect.logInfo(action.message)
    : action.level === "Warning"
      ? Effect.logWarning(action.message)
      : Effect.logError(action.message)
  ).pipe(Effect.annotateLogs(action.annotations ?? {}))

/**
 * Exponential backoff with jitter up to `maxBackoff`, never sooner than a provider asked; each failure that
 * will be retried shows in the stream's health as `retrying`.
 */
const retrySchedule = ({ account, settings, health }: StreamPorts) =>
  Schedule.exponential(settings.minBackoff ?? "1 second", 2).pipe(
    Schedule.jittered,
    Schedule.union(Schedule.spaced(settings.maxBackoff ?? "5 minutes")),
    // A provider that said how long to stay away (a Retry-After past ProviderHttp's own wait, a daily
    // allocation spent) is not asked again sooner, whatever the backoff has reached.
    Schedule.intersect(Schedule.identity<StreamError>()),
    Schedule.modifyDelay(([, error], delay) =>
      error._tag === "ProviderRateLimited" ? Duration.max(delay, Duration.millis(error.retryAfterMs)) : delay,
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
