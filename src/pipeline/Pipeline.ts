import { randomUUID } from "node:crypto"
import { Cause, Deferred, type Duration, Effect, Fiber, Schedule, Stream } from "effect"
import type { AccountConfig } from "../config/ConnectorConfig.ts"
import { Config } from "../config/loadConfig.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import { accountPublisher } from "./AccountPublisher.ts"
import { type AccountStreamSettings, runAccountStream } from "./AccountStream.ts"
import { ActivitySink } from "./ActivitySink.ts"
import { CheckpointStore } from "./CheckpointStore.ts"
import type { KafkaFailure } from "./KafkaClient.ts"
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
 * Accounts are independent within a shard: one failing retries on its own and never stops the others.
 */
export const runPipeline = (overrides: PipelineSettings = {}) =>
  Effect.gen(function* () {
    const { config, accounts } = yield* Config
    const enabled = accounts.filter((a) => a.config.enabled)
    const { shardRestartDelay = "2 seconds", ...streamOverrides } = overrides
    const settings: AccountStreamSettings = {
      kafka: config.kafka,
      poll: config.poll,
      // Unique per process start, so a checkpoint tells which run of which instance wrote it.
      instanceId: randomUUID(),
      ...streamOverrides,
    }
    const shards = shardCount(config.kafka)
    const accountsOf = new Map<number, ShardAccount[]>()
    for (const entry of enabled) {
      const shard = shardOf(entry.account.id, shards)
      accountsOf.set(shard, [...(accountsOf.get(shard) ?? []), entry])
    }

    // Every enabled account, checkpointed or not: a checkpoint can vanish (deleted, or unreadable after an
    // upgrade) and the account then starts from start_from again. Refusing on a config that is only unsafe
    // in that case is the cheaper mistake.
    const starts = enabled.map(({ account, config: accountConfig }) =>
      publishStart(account, accountConfig.start_from, `start_from: ${accountConfig.start_from}`),
    )
    // Only an unreachable cluster is waited for: unsafe topic settings need an operator.
    yield* ensureTopics(config.kafka, starts).pipe(
      Effect.retry({ schedule: startupRetry, while: (error) => error._tag === "KafkaFailure" }),
    )
    const sink = yield* ActivitySink
    const store = yield* CheckpointStore
    const health = yield* StreamHealth
    const group = yield* ShardGroup

    /** The accounts of a held shard, until interrupted (the shard is given up). */
    const runShard = (shard: number, members: ReadonlyArray<ShardAccount>) =>
      Effect.gen(function* () {
        for (;;) {
          const fenced = yield* Effect.scoped(
            Effect.gen(function* () {
              const publisher = yield* sink.shardPublisher(shard).pipe(Effect.retry(startupRetry))
              const checkpoints = yield* store.readShard(shard).pipe(Effect.retry(startupRetry))
              yield* Effect.logInfo("shard taken on").pipe(
                Effect.annotateLogs({
                  shard,
                  accounts: members.length,
                  checkpoints: checkpoints.latest.size,
                }),
              )
              const fencedSignal = yield* Deferred.make<KafkaFailure>()
              for (const { account, config: accountConfig } of members) {
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
                yield* stream.pipe(
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
                  Effect.forkScoped,
                )
              }
              return yield* Deferred.await(fencedSignal)
            }),
          )
          for (const { account } of members)
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
        Effect.ensuring(health.remove(members.map(({ account }) => account.id))),
        Effect.annotateLogs({ shard }),
      )

    const scope = yield* Effect.scope
    const running = new Map<number, Fiber.RuntimeFiber<unknown, unknown>>()
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
    const heldAccounts = (held: ReadonlyArray<number>) =>
      held.reduce((sum, shard) => sum + (accountsOf.get(shard)?.length ?? 0), 0)

    const follow = (assignment: ShardAssignment) =>
      Effect.gen(function* () {
        if (assignment._tag === "Rebalancing") {
          const given = [...running.keys()]
          yield* Effect.logInfo("shard group rebalancing: stopping the shards held").pipe(
            Effect.annotateLogs({ shards: given }),
          )
          yield* health.setHeld({ group: "rebalancing", shards: [], accounts: 0 })
          yield* giveUp(given)
          return
        }
        const held = assignment.shards
        yield* giveUp([...running.keys()].filter((shard) => !held.includes(shard)))
        for (const shard of held) {
          const members = accountsOf.get(shard) ?? []
          // A shard without accounts here needs no producer.
          if (running.has(shard) || members.length === 0) continue
          running.set(shard, yield* Effect.forkIn(runShard(shard, members), scope))
        }
        yield* health.setHeld({ group: "member", shards: held, accounts: heldAccounts(held) })
        yield* Effect.logInfo("shards assigned").pipe(
          Effect.annotateLogs({ shards: held, accounts: heldAccounts(held) }),
        )
      })

    const membership = Effect.scoped(
      Effect.gen(function* () {
        const assignments = yield* group.join
        yield* Effect.logInfo("pipeline started: joined the shard group").pipe(
          Effect.annotateLogs({ accounts: enabled.length, shards }),
        )
        // Shards are given up before the group is left: their transactions end before another member takes them.
        return yield* Stream.runForEach(assignments, follow).pipe(
          Effect.ensuring(Effect.suspend(() => giveUp([...running.keys()]))),
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
