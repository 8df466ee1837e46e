import { Duration, Effect, Schedule } from "effect"
import type { Admin } from "kafkajs"
import { type ConnectorConfig, durationMs } from "../../config/ConnectorConfig.ts"
import { KafkaFailure } from "../KafkaFailure.ts"
import { highWatermarks, KafkaClient, kafkaCall, quietly } from "./KafkaClient.ts"

const waitingFor = "wait for the topic to be stable"

/**
 * Waits until the last stable offset of every partition of `topic` reaches its high watermark as it was
 * when the wait began: every transaction open below that end, whoever's, has ended. A read_committed reader
 * can then read to that end, and a producer that starts writing then cannot have its commit marker commit a
 * record some earlier transaction left open on the partition (see AccountPublisher). Fails after `within`
 * with the partitions still held back, for the caller to retry and report.
 */
export const untilStableEnd = (
  topic: string,
  within: Duration.DurationInput,
  /** Only these partitions (a shard's); default all. */
  partitions?: ReadonlyArray<number>,
) =>
  Effect.gen(function* () {
    const kafka = yield* KafkaClient
    const all = yield* highWatermarks(kafka, topic)
    const ends =
      partitions === undefined
        ? all
        : new Map([...all].filter(([partition]) => partitions.includes(partition)))
    const admin = kafka.admin()
    const offsets = yield* Effect.acquireUseRelease(
      kafkaCall("admin connect", () => admin.connect()),
      () => lastStableReaches(admin, topic, ends, within),
      () => quietly("admin disconnect", () => admin.disconnect()),
    )
    return { ends, offsets }
  })

const lastStableReaches = (
  admin: Admin,
  topic: string,
  ends: ReadonlyMap<number, bigint>,
  within: Duration.DurationInput,
) =>
  // kafkajs's admin lists offsets read_committed: its `high` is the last stable offset.
  kafkaCall(`fetch the stable offsets of ${topic}`, () => admin.fetchTopicOffsets(topic)).pipe(
    Effect.map((offsets) => offsets.filter((o) => ends.has(o.partition))),
    Effect.flatMap((offsets) => {
      const behind = offsets.filter((o) => BigInt(o.high) < (ends.get(o.partition) ?? 0n))
      return behind.length === 0
        ? Effect.succeed(offsets)
        : Effect.fail(
            new KafkaFailure({
              operation: waitingFor,
              cause: new Error(
                `open transactions hold partitions ${behind.map((o) => o.partition).join(", ")} of ${topic} back`,
              ),
            }),
          )
    }),
    Effect.retry({
      schedule: Schedule.spaced("250 millis").pipe(Schedule.upTo(within)),
      while: (error) => error.operation === waitingFor,
    }),
  )

/** A transaction open on a topic ends within its producer's transaction timeout (the coordinator aborts it then). */
export const stableWithin = (kafka: ConnectorConfig["kafka"]) =>
  Duration.millis(durationMs(kafka.transaction_timeout) + 15_000)

/** `untilStableEnd` for every topic an account stream writes pages to (its checkpoints are read apart). */
export const untilWrittenTopicsStable = (kafka: ConnectorConfig["kafka"]) =>
  Effect.forEach(
    [kafka.topics.activities, kafka.topics.login_failed, kafka.topics.dead_letter],
    (topic) => untilStableEnd(topic, stableWithin(kafka)),
    // Together: each topic's wait stands on its own (its ends are read after the producer started), and a
    // shard's first page waits for all of them.
    { concurrency: "unbounded", discard: true },
  )
