import { Effect, Either } from "effect"
import type { ConnectorConfig } from "../config/ConnectorConfig.ts"
import { type Checkpoint, decodeCheckpoint } from "./Checkpoint.ts"
import { KafkaClient, KafkaFailure, kafkaCall } from "./KafkaClient.ts"

/**
 * Reads the compacted checkpoint topic to its end, read_committed, and returns the latest checkpoint per
 * account. Call it only after the account producers have initialised: that fences and aborts any transaction
 * a killed instance left open, which would otherwise hold the last stable offset back.
 *
 * kafkajs has no `assign()`, so a throw-away consumer group reads from the beginning. The end is the last
 * stable offset (`fetchTopicOffsets` asks ListOffsets with READ_COMMITTED). Transaction markers are never
 * handed to `eachBatch`, so progress is also taken from END_BATCH_PROCESS events, which see them.
 */
export const readCheckpoints = (topics: ConnectorConfig["kafka"]["topics"], instanceId: string) =>
  Effect.gen(function* () {
    const kafka = yield* KafkaClient
    const topic = topics.checkpoints
    const admin = kafka.admin()
    yield* kafkaCall("admin connect", () => admin.connect())
    const offsets = yield* kafkaCall("fetch checkpoint offsets", () => admin.fetchTopicOffsets(topic)).pipe(
      Effect.ensuring(Effect.promise(() => admin.disconnect())),
    )
    const pending = new Map<number, bigint>()
    for (const o of offsets) if (BigInt(o.high) > BigInt(o.low)) pending.set(o.partition, BigInt(o.high))
    const latest = new Map<string, Checkpoint>()
    // Keys whose checkpoint does not decode (written by a future version, or damaged): such an account would
    // restart from its start_from, so this is said loudly.
    const unreadable = new Set<string>()
    if (pending.size === 0) return latest

    const groupId = `${instanceId}-checkpoint-reader-${Date.now()}`
    const consumer = kafka.consumer({ groupId, readUncommitted: false, sessionTimeout: 10_000 })
    const done = Effect.async<void>((resume) => {
      const reached = (partition: number, lastOffset: string) => {
        const end = pending.get(partition)
        if (end !== undefined && BigInt(lastOffset) + 1n >= end) pending.delete(partition)
        if (pending.size === 0) resume(Effect.void)
      }
      consumer.on(consumer.events.END_BATCH_PROCESS, (event) =>
        reached(event.payload.partition, event.payload.lastOffset),
      )
      consumer
        .subscribe({ topic, fromBeginning: true })
        .then(() =>
          consumer.run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              for (const message of batch.messages) {
                const key = message.key?.toString()
                if (!key) continue
                if (message.value === null) {
                  latest.delete(key)
                  continue
                }
                const decoded = decodeCheckpoint(message.value.toString())
                if (Either.isRight(decoded)) latest.set(key, decoded.right)
                else unreadable.add(key)
              }
              reached(batch.partition, batch.lastOffset())
            },
          }),
        )
        .catch((error) => resume(Effect.die(error)))
    })
    yield* Effect.acquireUseRelease(
      kafkaCall("checkpoint reader connect", () => consumer.connect()),
      () =>
        done.pipe(
          Effect.timeoutFail({
            duration: "120 seconds",
            onTimeout: () =>
              new KafkaFailure({
                operation: "read checkpoints to the end",
                cause: new Error("timed out after 120 s"),
              }),
          }),
        ),
      () =>
        Effect.promise(async () => {
          await consumer.disconnect()
          const cleanup = kafka.admin()
          await cleanup.connect()
          await cleanup.deleteGroups([groupId]).catch(() => undefined)
          await cleanup.disconnect()
        }),
    )
    for (const key of unreadable) {
      if (!latest.has(key)) {
        yield* Effect.logError(
          "a checkpoint in Kafka does not decode; that account restarts from its start_from",
        ).pipe(Effect.annotateLogs({ integrated_account_id: key, topic }))
      }
    }
    return latest
  })
