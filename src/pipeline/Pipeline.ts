import { randomUUID } from "node:crypto"
import { Cause, Deferred, type Duration, Effect, Fiber, Schedule, Stream, SubscriptionRef } from "effect"
import { Config } from "../config/Config.ts"
import type { AccountConfig } from "../config/ConnectorConfig.ts"
import { CurrentAccounts } from "../config/CurrentAccounts.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import { accountPublisher } from "./AccountPublisher.ts"
import { type AccountStreamSettings, runAccountStream } from "./AccountStream.ts"
import { ActivitySink } from "./ActivitySink.ts"
import { type CheckpointRead, CheckpointStore } from "./CheckpointStore.ts"
import type { KafkaFailure } from "./KafkaClient.ts"
import { checkKafkaAcls, isKafkaFailure } from "./requiredAcls.ts"
import { publishStart } from "./retentionProblems.ts"
import { shardCount, shardOf } from "./Shard.ts"
import { type ShardAssignment, ShardGroup } from "./ShardGroup.ts"
import { initialHealth, StreamHealth } from "./StreamHealth.ts"
import { CheckpointUnreadable } from "./StreamStopped.ts"
import { ensureTopics } from "./Topics.ts"

/** Until the cluster answers at start: retried, growing to 30 s between attempts. */
const startupRetry = Schedule.exponential("500 millis", 2).pipe(
  Schedule.union(Schedule.spaced("30 seconds")),
  Schedule.tapInput((error: { message: string }) =>
    Effect.logWarning("Kafka not ready; retrying").pipe(Effect.annotateLogs({ error: error.message })),
  ),
)

interface ShardAccount {
  readonly account: IntegratedAccount
  readonly config: AccountConfig
}

export interface PipelineSettings extends Partial<AccountStreamSettings> {
  /** After its producer is fenced, how long a shard waits before it starts again (if it is still held). */
  readonly shardRestartDelay?: Duration.DurationInput
}

/**
 * The connector's main job. Topics are created when missing (the checkpoint topic with one partition per
 * shard; a topic whose partition count is not the shard count is refused). Then the instance joins the shard
 * group and streams the accounts of the shards the group assigns it, each shard on its own:
 *
 * - taken on: its producer starts (fencing the shard's previous holder and aborting what it left open), its
 *   partition of the checkpoint topic is read to a stable end, and each of its enabled accounts is tailed by
 *   its own fiber from its own checkpoint;
 * - given up (a rebalance begins, or the new assignment leaves it out): its streams stop at a page boundary (a
 *   transaction under way commits or aborts), then its producer closes;
 * - fenced while held (another instance took the shard before this one learnt of the rebalance, or the
 *   coordinator aborted a transaction that outlived its timeout): the shard stops and starts again.
 *
 * Accounts are independent within a shard: one failing retries on its own and never stops the others. The
 * accounts are `CurrentAccounts`, which a config reload changes: a held shard starts and stops its accounts as
 * they are added, changed, disabled or removed, and a held shard given its first account starts then.
 */
export const runPipeline = (overrides: PipelineSettings = {}) =>
  Effect.gen(function* () {
    const { config } = yield* Config
    const current = yield* CurrentAccounts
    const enabled = (yield* SubscriptionRef.get(current)).filter((a) => a.config.enabled)
    const { shardRestartDelay = "2 seconds", ...streamOverrides } = overrides
    const settings: AccountStreamSettings = {
      kafka: config.kafka,
      poll: config.poll,
      // Unique per process start, so a checkpoint tells which run of which instance wrote it.
      instanceId: randomUUID(),
      ...streamOverrides,
    }
    const shards = shardCount(config.kafka)

    // Every enabled account, checkpointed or not: a checkpoint can vanish (deleted, or unreadable after an
    // upgrade) and the account then starts from start_from again. Refusing on a config that is only unsafe
    // in that case is the cheaper mistake.
    const starts = enabled.map(({ account, config: accountConfig }) =>
      publishStart(account, accountConfig.start_from, `start_from: ${accountConfig.start_from}`),
    )
    // Only an unreachable cluster is waited for: unsafe topic settings need an operator.
    yield* checkKafkaAcls(config.kafka, config.credentials_store).pipe(
      Effect.retry({ schedule: startupRetry, while: isKafkaFailure }),
    )
    yield* ensureTopics(config.kafka, starts).pipe(
      Effect.retry({ schedule: startupRetry, while: (error) => error._tag === "KafkaFailure" }),
    )
    const sink = yield* ActivitySink
    const store = yield* CheckpointStore
    const health = yield* StreamHealth
    const group = yield* ShardGroup

    /** The enabled accounts of a shard, in config order. */
    const membersOf = (all: ReadonlyArray<ShardAccount>, shard: number) =>
      all.filter((entry) => entry.config.enabled && shardOf(entry.account.id, shards) === shard)

    /**
     * The accounts of a held shard, until interrupted (the shard is given up). They follow `CurrentAccounts`:
     * an account a reload adds (or enables) starts, one it removes (or disables) stops, one it changes starts
     * again with its new settings. An account stops as on a shard's give-up: at a page boundary, its
     * transaction under way committed or aborted.
     */
    const runShard = (shard: number) => {
      /** Accounts streamed by this run of the shard, whose health goes when it ends. */
      const shown = new Map<string, IntegratedAccount>()
      return Effect.gen(function* () {
        for (;;) {
          const fenced = yield* Effect.scoped(
            Effect.gen(function* () {
              const publisher = yield* sink.shardPublisher(shard).pipe(Effect.retry(startupRetry))
              let takenOn: CheckpointRead | undefined = yield* store
                .readShard(shard)
                .pipe(Effect.retry(startupRetry))
              yield* Effect.logInfo("shard taken on").pipe(
                Effect.annotateLogs({
                  shard,
                  accounts: membersOf(yield* SubscriptionRef.get(current), shard).length,
                  checkpoints: takenOn.latest.size,
                }),
              )
              const fencedSignal = yield* Deferred.make<KafkaFailure>()
              const scope = yield* Effect.scope
              const streams = new Map<
                string,
                { readonly config: string; readonly fiber: Fiber.RuntimeFiber<unknown, unknown> }
              >()
              const streamOf = (
                { account, config: accountConfig }: ShardAccount,
                checkpoints: CheckpointRead,
              ) => {
                const unreadable = checkpoints.unreadable.get(account.id)
                const stream =
                  unreadable === undefined
                    ? runAccountStream(
                        account,
                        accountConfig,
                        checkpoints.latest.get(account.id),
                        accountPublisher(publisher, account),
                        settings,
                      )
                    : Effect.fail(
                        new CheckpointUnreadable({
                          message: `the newest checkpoint of account ${account.id} in ${config.kafka.topics.checkpoints} does not decode (${unreadable}); not resuming from an older one`,
                        }),
                      )
                return stream.pipe(
                  Effect.catchAllCause((cause) => {
                    const failure = Cause.failureOption(cause)
                    if (
                      failure._tag === "Some" &&
                      failure.value._tag === "KafkaFailure" &&
                      failure.value.fenced
                    )
                      return Deferred.succeed(fencedSignal, failure.value)
                    // Any other end is final (its checkpoint is unreadable, no provider client yet, or a
                    // provider continuation that will not be followed).
                    return Effect.gen(function* () {
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
              const follow = (all: ReadonlyArray<ShardAccount>) =>
                Effect.gen(function* () {
                  const wanted = new Map(membersOf(all, shard).map((entry) => [entry.account.id, entry]))
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
                  const checkpoints =
                    takenOn ?? (yield* store.readShard(shard).pipe(Effect.retry(startupRetry)))
                  takenOn = undefined
                  for (const entry of starting) {
                    const fiber = yield* Effect.forkIn(streamOf(entry, checkpoints), scope)
                    streams.set(entry.account.id, { config: JSON.stringify(entry.config), fiber })
                    shown.set(entry.account.id, entry.account)
                  }
                })
              yield* current.changes.pipe(Stream.runForEach(follow), Effect.forkScoped)
              return yield* Deferred.await(fencedSignal)
            }),
          )
          for (const account of shown.values())
            yield* health.update(account.id, (current) => ({
              ...(current ?? initialHealth(account)),
              state: "retrying",
              last_error: fenced.message,
            }))
          yield* Effect.logWarning(
            "shard producer fenced; starting the shard again if it is still held",
          ).pipe(Effect.annotateLogs({ shard, error: fenced.message }))
          yield* Effect.sleep(shardRestartDelay)
        }
      }).pipe(
        Effect.ensuring(Effect.suspend(() => health.remove([...shown.keys()]))),
        Effect.annotateLogs({ shard }),
      )
    }

    const scope = yield* Effect.scope
    const running = new Map<number, Fiber.RuntimeFiber<unknown, unknown>>()
    /** The shards the group assigned this instance; none while it rebalances. */
    let held: ReadonlyArray<number> = []
    // The group's assignments and the config's reloads change what runs, one at a time.
    const oneAtATime = yield* Effect.makeSemaphore(1)
    const giveUp = (shards: ReadonlyArray<number>) =>
      Effect.forEach(
        shards,
        (shard) =>
          Effect.suspend(() => {
            const fiber = running.get(shard)
            running.delete(shard)
            return fiber ? Fiber.interrupt(fiber) : Effect.void
          }),
        { concurrency: "unbounded", discard: true },
      )
    /** A held shard runs once it has an account: a shard without accounts here needs no producer. */
    const runHeld = (all: ReadonlyArray<ShardAccount>) =>
      Effect.gen(function* () {
        for (const shard of held) {
          if (running.has(shard) || membersOf(all, shard).length === 0) continue
          running.set(shard, yield* Effect.forkIn(runShard(shard), scope))
        }
        const accounts = held.reduce((sum, shard) => sum + membersOf(all, shard).length, 0)
        yield* health.setHeld({ group: "member", shards: held, accounts })
        return accounts
      })

    const follow = (assignment: ShardAssignment) =>
      Effect.gen(function* () {
        if (assignment._tag === "Rebalancing") {
          const given = [...running.keys()]
          held = []
          yield* Effect.logInfo("shard group rebalancing: stopping the shards held").pipe(
            Effect.annotateLogs({ shards: given }),
          )
          yield* health.setHeld({ group: "rebalancing", shards: [], accounts: 0 })
          yield* giveUp(given)
          return
        }
        held = assignment.shards
        yield* giveUp([...running.keys()].filter((shard) => !held.includes(shard)))
        const accounts = yield* runHeld(yield* SubscriptionRef.get(current))
        yield* Effect.logInfo("shards assigned").pipe(Effect.annotateLogs({ shards: held, accounts }))
      }).pipe(oneAtATime.withPermits(1))

    /** A reload can give a held shard its first account (the shard's own fiber follows its later changes). */
    const followReloads = current.changes.pipe(
      Stream.drop(1),
      Stream.runForEach((all) =>
        Effect.suspend(() => (held.length === 0 ? Effect.void : runHeld(all))).pipe(
          oneAtATime.withPermits(1),
        ),
      ),
    )

    const membership = Effect.scoped(
      Effect.gen(function* () {
        const assignments = yield* group.join
        yield* Effect.logInfo("pipeline started: joined the shard group").pipe(
          Effect.annotateLogs({ accounts: enabled.length, shards }),
        )
        yield* Effect.forkScoped(followReloads)
        // Shards are given up before the group is left: their transactions end before another member takes them.
        return yield* Stream.runForEach(assignments, follow).pipe(
          Effect.ensuring(
            Effect.suspend(() => {
              held = []
              return giveUp([...running.keys()])
            }),
          ),
        )
      }),
    ).pipe(
      // The membership ended (kafkajs gave up on its consumer): hold nothing, then join again.
      Effect.tapError(() => health.setHeld({ group: "joining", shards: [], accounts: 0 })),
      Effect.retry(startupRetry),
    )
    yield* membership
    return yield* Effect.never
  })
