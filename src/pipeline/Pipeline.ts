import { randomUUID } from "node:crypto"
import { type Duration, Effect, Fiber, Stream, SubscriptionRef } from "effect"
import { Config } from "../config/Config.ts"
import { CurrentAccounts } from "../config/CurrentAccounts.ts"
import type { AccountStreamSettings } from "./AccountStream.ts"
import { makeFairPermits } from "./fairPermits.ts"
import { membersOfShard, runHeldShard, type ShardAccount, startupRetry } from "./HeldShard.ts"
import { checkKafkaAcls, ensureTopics } from "./KafkaAdmin.ts"
import { isKafkaFailure } from "./requiredAcls.ts"
import { publishStart } from "./retentionProblems.ts"
import { shardCount } from "./Shard.ts"
import { type ShardAssignment, ShardGroup } from "./ShardGroup.ts"
import { StreamHealth } from "./StreamHealth.ts"

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
      readSlots: yield* makeFairPermits(config.poll.concurrent_reads),
      ...streamOverrides,
    }
    const shards = shardCount(config.kafka)
    yield* prepareKafka(enabled)
    const health = yield* StreamHealth
    const group = yield* ShardGroup
    const heldShards = yield* makeHeldShards(shards, settings, shardRestartDelay)

    const membership = Effect.scoped(
      Effect.gen(function* () {
        const assignments = yield* group.join
        yield* Effect.logInfo("pipeline started: joined the shard group").pipe(
          Effect.annotateLogs({ accounts: enabled.length, shards }),
        )
        yield* Effect.forkScoped(heldShards.followReloads)
        // Shards are given up before the group is left: their transactions end before another member takes them.
        return yield* Stream.runForEach(assignments, heldShards.follow).pipe(
          Effect.ensuring(heldShards.giveUpAll),
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

/**
 * Before joining: the principal's ACLs, and the topics (created when missing, refused when unsafe). Only an
 * unreachable cluster is waited for: unsafe topic settings need an operator.
 */
const prepareKafka = (enabled: ReadonlyArray<ShardAccount>) =>
  Effect.gen(function* () {
    const { config } = yield* Config
    // Every enabled account, checkpointed or not: a checkpoint can vanish (deleted, or unreadable after an
    // upgrade) and the account then starts from start_from again. Refusing on a config that is only unsafe
    // in that case is the cheaper mistake.
    const starts = enabled.map(({ account, config: accountConfig }) =>
      publishStart(account, accountConfig.start_from, `start_from: ${accountConfig.start_from}`),
    )
    yield* checkKafkaAcls(config.kafka, config.credentials_store).pipe(
      Effect.retry({ schedule: startupRetry, while: isKafkaFailure }),
    )
    yield* ensureTopics(config.kafka, starts).pipe(
      Effect.retry({ schedule: startupRetry, while: (error) => error._tag === "KafkaFailure" }),
    )
  })

/**
 * The shards this instance runs, following the group's assignments and the config's reloads (one change at a
 * time): `follow` an assignment, `followReloads` for a held shard's first account, `giveUpAll` on leaving.
 * Shard fibers live in the caller's scope.
 */
const makeHeldShards = (
  shards: number,
  settings: AccountStreamSettings,
  restartDelay: Duration.DurationInput,
) =>
  Effect.gen(function* () {
    const current = yield* CurrentAccounts
    const health = yield* StreamHealth
    const scope = yield* Effect.scope
    const running = new Map<number, Fiber.RuntimeFiber<unknown, unknown>>()
    /** The shards the group assigned this instance; none while it rebalances. */
    let held: ReadonlyArray<number> = []
    const oneAtATime = yield* Effect.makeSemaphore(1)
    const membersOf = (all: ReadonlyArray<ShardAccount>, shard: number) => membersOfShard(all, shard, shards)
    const giveUp = (given: ReadonlyArray<number>) =>
      Effect.forEach(
        given,
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
          running.set(shard, yield* Effect.forkIn(runHeldShard(shard, shards, settings, restartDelay), scope))
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
    const giveUpAll = Effect.suspend(() => {
      held = []
      return giveUp([...running.keys()])
    })
    return { follow, followReloads, giveUpAll }
  })
