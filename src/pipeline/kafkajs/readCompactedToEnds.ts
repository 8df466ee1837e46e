import { type Duration, Effect } from "effect"
import kafkajs, { type PartitionAssigner } from "kafkajs"
import { KafkaFailure } from "../KafkaFailure.ts"
import { KafkaClient, kafkaCall, quietly } from "./KafkaClient.ts"

// kafkajs is CommonJS and Node's static analysis of it misses this export, so it is read off the default.
const { AssignerProtocol } = kafkajs

export interface ReadToEnds<V> {
  readonly topic: string
  /** A throw-away consumer group of its own, deleted after the read. */
  readonly groupId: string
  /** Per partition to read, the offset to read up to (exclusive); partitions not listed are not read. */
  readonly ends: ReadonlyMap<number, bigint>
  /** A record's value, as kept per key. */
  readonly decode: (value: string) => V
  /** What the read is, in its failures. */
  readonly what: string
  readonly within: Duration.DurationInput
}

/**
 * The newest value per key of a compacted topic's partitions, read from their beginning to the given ends
 * (a tombstone removes its key), read_committed.
 *
 * kafkajs has no `assign()`, so the read joins a throw-away consumer group whose assigner hands its one member
 * exactly the partitions asked for. Transaction markers are never handed to `eachBatch`, so progress is also
 * taken from END_BATCH_PROCESS events, which see them. A consumer crash, or the read not done `within`, is a
 * `KafkaFailure` for the caller to retry.
 */
export const readCompactedToEnds = <V>(read: ReadToEnds<V>) =>
  Effect.gen(function* () {
    const newest = new Map<string, V>()
    const pending = new Map(read.ends)
    if (pending.size === 0) return newest
    const kafka = yield* KafkaClient
    const failure = (cause: unknown) => new KafkaFailure({ operation: read.what, cause })
    const consumer = kafka.consumer({
      groupId: read.groupId,
      readUncommitted: false,
      sessionTimeout: 10_000,
      partitionAssigners: [onlyPartitions(read.topic, [...pending.keys()])],
    })
    const done = Effect.async<void, KafkaFailure>((resume) => {
      const reached = (partition: number, lastOffset: string) => {
        const end = pending.get(partition)
        if (end !== undefined && BigInt(lastOffset) + 1n >= end) pending.delete(partition)
        if (pending.size === 0) resume(Effect.void)
      }
      consumer.on(consumer.events.END_BATCH_PROCESS, (event) =>
        reached(event.payload.partition, event.payload.lastOffset),
      )
      consumer.on(consumer.events.CRASH, (event) => resume(Effect.fail(failure(event.payload.error))))
      consumer
        .subscribe({ topic: read.topic, fromBeginning: true })
        .then(() =>
          consumer.run({
            autoCommit: false,
            eachBatch: async ({ batch }) => {
              for (const message of batch.messages) {
                const key = message.key?.toString()
                if (!key) continue
                if (message.value === null) newest.delete(key)
                else newest.set(key, read.decode(message.value.toString()))
              }
              reached(batch.partition, batch.lastOffset())
            },
          }),
        )
        .catch((cause) => resume(Effect.fail(failure(cause))))
    })
    yield* Effect.acquireUseRelease(
      kafkaCall(`${read.what}: connect`, () => consumer.connect()),
      () =>
        done.pipe(
          Effect.timeoutFail({
            duration: read.within,
            onTimeout: () => failure(new Error("not read to its end in time")),
          }),
        ),
      () =>
        Effect.gen(function* () {
          yield* quietly(`${read.what}: disconnect`, () => consumer.disconnect())
          const cleanup = kafka.admin()
          yield* quietly(`${read.what}: delete the reader group`, async () => {
            await cleanup.connect()
            try {
              await cleanup.deleteGroups([read.groupId])
            } finally {
              await cleanup.disconnect()
            }
          })
        }),
    )
    return newest
  })

/** An assigner that gives the group's first member `partitions` of `topic` and nothing else. */
const onlyPartitions =
  (topic: string, partitions: ReadonlyArray<number>): PartitionAssigner =>
  () => ({
    name: "only-partitions",
    version: 0,
    protocol: ({ topics }) => ({
      name: "only-partitions",
      metadata: AssignerProtocol.MemberMetadata.encode({ version: 0, topics, userData: Buffer.alloc(0) }),
    }),
    assign: async ({ members }) =>
      members.map(({ memberId }, index) => ({
        memberId,
        memberAssignment: AssignerProtocol.MemberAssignment.encode({
          version: 0,
          assignment: index === 0 ? { [topic]: [...partitions] } : {},
          userData: Buffer.alloc(0),
        }),
      })),
  })
