import { Cause, Deferred, type Duration, Effect, Fiber, Schedule, Stream, SubscriptionRef } from "effect"
import { Config } from "../config/Config.ts"
import type { AccountConfig } from "../config/ConnectorConfig.ts"
import { CurrentAccounts } from "../config/CurrentAccounts.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import { accountPublisher, type TransactionalPublisher } from "./AccountPublisher.ts"
import { type AccountStreamSettings, runAccountStream } from "./AccountStream.ts"
import { ActivitySink } from "./ActivitySink.ts"
import { type CheckpointRead, CheckpointStore } from "./CheckpointStore.ts"
import type { KafkaFailure } from "./KafkaFailure.ts"
import { shardOf } from "./Shard.ts"
import { initialHealth, StreamHealth } from "./StreamHealth.ts"
import { CheckpointUnreadable } from "./StreamStopped.ts"

/** Until the cluster answers at start: retried, growing to 30 s between attempts. */
export const startupRetry = Schedule.exponential("500 millis", 2).pipe(
  Schedule.union(Schedule.spaced("30 seconds")),
  Schedule.tapInput((error: { message: string }) =>
    Effect.logWarning("Kafka not ready; retrying").pipe(Effect.annotateLogs({ error: error.message })),
  ),
)

export interface ShardAccount {
  readonly account: IntegratedAccount
  readonly config: AccountConfig
}

/** The enabled accounts of a shard, in config order. */
export const membersOfShard = (all: ReadonlyArray<ShardAccount>, shard: number, shards: number) =>
  all.filter((entry) => entry.config.enabled && shardOf(entry.account.id, shards) === shard)

/**
 * Runs a shard this instance holds: the accounts of a held shard, until interrupted (the shard is given up). They follow `CurrentAccounts`:
 * an account a reload adds (or enables) starts, one it removes (or disables) stops, one it changes starts
 * again with its new settings. An account stops as on a shard's give-up: at a page boundary, its
 * transaction under way committed or aborted.
 */
export const runHeldShard = (
  shard: number,
  /** The deployment's shard count. */
  shards: number,
  settings: AccountStreamSettings,
  /** After its producer is fenced, how long the shard waits before it starts again. */
  restartDelay: Duration.DurationInput,
) => {
  /** Accounts streamed by this run of the shard, whose health goes when it ends. */
  const shown = new Map<string, IntegratedAccount>()
  return Effect.gen(function* () {
    const health = yield* StreamHealth
    for (;;) {
      const fenced = yield* runShardUntilFenced(shard, shards, settings, shown)
      for (const account of shown.values())
        yield* health.update(account.id, (current) => ({
          ...(current ?? initialHealth(account)),
          state: "retrying",
          last_error: fenced.message,
        }))
      yield* Effect.logWarning("shard producer fenced; starting the shard again if it is still held").pipe(
        Effect.annotateLogs({ shard, error: fenced.message }),
      )
      yield* Effect.sleep(restartDelay)
    }
  }).pipe(
    Effect.ensuring(Effect.flatMap(StreamHealth, (health) => health.remove([...shown.keys()]))),
    Effect.annotateLogs({ shard }),
  )
}

/**
 * One run of a held shard on one producer: take it on (producer, checkpoints), stream its accounts as the
 * config has them, and end with the failure that fenced the producer. Its account streams end with it.
 */
const runShardUntilFenced = (
  shard: number,
  shards: number,
  settings: AccountStreamSettings,
  shown: Map<string, IntegratedAccount>,
) =>
  Effect.scoped(
    Effect.gen(function* () {
      const { config } = yield* Config
      const current = yield* CurrentAccounts
      const sink = yield* ActivitySink
      const store = yield* CheckpointStore
      const health = yield* StreamHealth
      const publisher = yield* sink.shardPublisher(shard).pipe(Effect.retry(startupRetry))
      let takenOn: CheckpointRead | undefined = yield* store.readShard(shard).pipe(Effect.retry(startupRetry))
      yield* Effect.logInfo("shard taken on").pipe(
        Effect.annotateLogs({
          shard,
          accounts: membersOfShard(yield* SubscriptionRef.get(current), shard, shards).length,
          checkpoints: takenOn.latest.size,
        }),
      )
      const fencedSignal = yield* Deferred.make<KafkaFailure>()
      const scope = yield* Effect.scope
      const streams = new Map<
        string,
        { readonly config: string; readonly fiber: Fiber.RuntimeFiber<unknown, unknown> }
      >()
      const follow = (all: ReadonlyArray<ShardAccount>) =>
        Effect.gen(function* () {
          const wanted = new Map(membersOfShard(all, shard, shards).map((entry) => [entry.account.id, entry]))
          for (const [id, running] of [...streams]) {
            const entry = wanted.get(id)
            if (entry !== undefined && JSON.stringify(entry.config) === running.config) continue
            yield* Fiber.interrupt(running.fiber)
            streams.delete(id)
            if (entry === undefined) {
              shown.delete(id)
              yield* health.remove([id])
            }
            yield* Effect.logInfo(
              entry === undefined
                ? "account stopped: removed or disabled in the config"
                : "account stopped: its config changed; starting it again",
            ).pipe(Effect.annotateLogs({ integrated_account_id: id }))
          }
          const starting = [...wanted.values()].filter((entry) => !streams.has(entry.account.id))
          if (starting.length === 0) return
          // The read at take-on serves the accounts started then. An account started later (added, or
          // changed and stopped just above) reads again: its checkpoint may have moved since.
          const checkpoints = takenOn ?? (yield* store.readShard(shard).pipe(Effect.retry(startupRetry)))
          takenOn = undefined
          for (const entry of starting) {
            const stream = superviseAccountStream(entry, {
              checkpoints,
              publisher,
              settings,
              checkpointsTopic: config.kafka.topics.checkpoints,
              fencedSignal,
            })
            const fiber = yield* Effect.forkIn(stream, scope)
            streams.set(entry.account.id, { config: JSON.stringify(entry.config), fiber })
            shown.set(entry.account.id, entry.account)
          }
        })
      yield* current.changes.pipe(Stream.runForEach(follow), Effect.forkScoped)
      return yield* Deferred.await(fencedSignal)
    }),
  )

/**
 * One account's stream on its shard's producer, from the checkpoint read at take-on. A fenced producer is
 * the shard's to restart (signalled); any other end is final for the account (its checkpoint is unreadable,
 * no provider client yet, or a provider continuation that will not be followed), shown as `stopped`.
 */
const superviseAccountStream = (
  { account, config }: ShardAccount,
  shard: {
    readonly checkpoints: CheckpointRead
    readonly publisher: TransactionalPublisher
    readonly settings: AccountStreamSettings
    readonly checkpointsTopic: string
    readonly fencedSignal: Deferred.Deferred<KafkaFailure>
  },
) => {
  const unreadable = shard.checkpoints.unreadable.get(account.id)
  const stream =
    unreadable === undefined
      ? runAccountStream(
          account,
          config,
          shard.checkpoints.latest.get(account.id),
          accountPublisher(shard.publisher, account),
          shard.settings,
        )
      : Effect.fail(
          new CheckpointUnreadable({
            message: `the newest checkpoint of account ${account.id} in ${shard.checkpointsTopic} does not decode (${unreadable}); not resuming from an older one`,
          }),
        )
  return stream.pipe(
    Effect.catchAllCause((cause) => {
      const failure = Cause.failureOption(cause)
      if (failure._tag === "Some" && failure.value._tag === "KafkaFailure" && failure.value.fenced)
        return Deferred.succeed(shard.fencedSignal, failure.value)
      return Effect.gen(function* () {
        const health = yield* StreamHealth
        yield* health.update(account.id, (current) => ({
          ...(current ?? initialHealth(account)),
          state: "stopped",
          last_error: Cause.pretty(cause).split("\n")[0] ?? "stopped",
        }))
        yield* Effect.logError("account stream stopped", cause).pipe(
          Effect.annotateLogs({ integrated_account_id: account.id }),
        )
      })
    }),
  )
}
