import { type Duration, Effect, Either, Layer, ParseResult } from "effect"
import type { ConnectorConfig } from "../../config/ConnectorConfig.ts"
import { type Checkpoint, decodeCheckpoint } from "../Checkpoint.ts"
import { type CheckpointRead, CheckpointStore } from "../CheckpointStore.ts"
import { makeFairPermits } from "../fairPermits.ts"
import type { KafkaFailure } from "../KafkaFailure.ts"
import { checkpointReaderGroupId } from "../kafkaNames.ts"
import { nextReadShared } from "../nextReadShared.ts"
import { KafkaClient } from "./KafkaClient.ts"
import { readCompactedToEnds } from "./readCompactedToEnds.ts"
import { stableWithin, untilStableEnd } from "./stableEnd.ts"

export interface ReadCheckpointsOptions {
  /**
   * How long to wait for the transactions open on the checkpoint topic to end. A transaction ends within its
   * producer's transaction timeout (the coordinator aborts it then), so this is that timeout plus a margin.
   */
  readonly stableWithin: Duration.DurationInput
}

/** The checkpoint store on kafkajs: a shard's partition of the checkpoint topic, read by `readCheckpoints`. */
export const kafkaCheckpointStore = (config: ConnectorConfig["kafka"]) =>
  Layer.scoped(
    CheckpointStore,
    Effect.gen(function* () {
      const client = yield* KafkaClient
      const scope = yield* Effect.scope
      // Fair permits, not Effect's semaphore: every account of the process asks at once when they start.
      const lock = yield* makeFairPermits(1)
      // Accounts of a shard resynchronising together (after a broker outage, all of them) share the next read.
      const shared = new Map<number, Effect.Effect<CheckpointRead, KafkaFailure>>()
      const readerOf = (shard: number) =>
        lock.withPermit(
          Effect.gen(function* () {
            const known = shared.get(shard)
            if (known) return known
            const read = readCheckpoints(
              config.topics,
              config.group_id_prefix,
              // A transaction open on the topic ends within its producer's transaction timeout.
              { stableWithin: stableWithin(config) },
              [shard],
            ).pipe(Effect.provideService(KafkaClient, client))
            const next = yield* nextReadShared(read, scope)
            shared.set(shard, next)
            return next
          }),
        )
      return CheckpointStore.of({ readShard: (shard) => Effect.flatten(readerOf(shard)) })
    }),
  )

/**
 * Reads the compacted checkpoint topic to its end, read_committed, and returns the latest checkpoint per
 * account. "Its end" is the high watermark when the read starts, uncommitted transactions included: the read
 * waits until every transaction open below it has ended, so no checkpoint committed before the read started
 * is missed. Call it only after the account producers have initialised, which fences and aborts any
 * transaction a killed instance of ours left open.
 *
 * kafkajs has no `assign()`, so a throw-away consumer group, named `<groupIdPrefix>.checkpoint-reader.<uuid>`
 * (`kafka.group_id_prefix`), whose assigner hands its one member just the partitions asked for, reads from the
 * beginning. Transaction markers are
 * never handed to `eachBatch`, so progress is also taken from END_BATCH_PROCESS events, which see them. Every
 * broker failure is a typed `KafkaFailure`, for the caller to retry.
 */
export const readCheckpoints = (
  topics: ConnectorConfig["kafka"]["topics"],
  groupIdPrefix: string,
  options: ReadCheckpointsOptions,
  /** Only these partitions (shards); default all. */
  partitions?: ReadonlyArray<number>,
): Effect.Effect<CheckpointRead, KafkaFailure, KafkaClient> =>
  Effect.gen(function* () {
    const topic = topics.checkpoints
    const { ends, offsets } = yield* untilStableEnd(topic, options.stableWithin, partitions)
    const pending = new Map<number, bigint>()
    for (const o of offsets) {
      const end = ends.get(o.partition) ?? 0n
      if (end > BigInt(o.low)) pending.set(o.partition, end)
    }
    const newest = yield* readCompactedToEnds({
      topic,
      groupId: checkpointReaderGroupId(groupIdPrefix),
      ends: pending,
      decode: (value) =>
        Either.mapLeft(decodeCheckpoint(value), (error) => ParseResult.TreeFormatter.formatErrorSync(error)),
      what: "read checkpoints",
      within: "120 seconds",
    })

    const latest = new Map<string, Checkpoint>()
    const unreadable = new Map<string, string>()
    for (const [key, record] of newest) {
      if (Either.isRight(record)) latest.set(key, record.right)
      else unreadable.set(key, record.left)
    }
    return { latest, unreadable }
  })
