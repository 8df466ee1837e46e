import { fc, test } from "@fast-check/vitest"
import { type PartitionerArgs, Partitioners } from "kafkajs"
import { describe, expect, it } from "vitest"
import { keyPartitioner } from "../../src/pipeline/kafkajs/keyPartitioner.ts"

const metadata = (partitions: number): PartitionerArgs["partitionMetadata"] =>
  Array.from({ length: partitions }, (_, partitionId) => ({
    partitionId,
    leader: 0,
    partitionErrorCode: 0,
    replicas: [0],
    isr: [0],
  }))

const call = fc.record({
  topic: fc.constantFrom("activities", "login_failed", "ocsf"),
  // Few keys and counts, so that a key comes again under another count or with a partition of its own.
  partitions: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constantFrom(1, 6, 12)),
  key: fc.oneof(fc.uuid(), fc.string({ unit: "grapheme", maxLength: 40 }), fc.constantFrom("a", "b", "c")),
  partition: fc.option(fc.integer({ min: 0, max: 63 }), { nil: undefined }),
})

describe("keyPartitioner", () => {
  test.prop([fc.array(call, { minLength: 1, maxLength: 200 })], { numRuns: 1_000 })(
    "answers as kafkajs's default partitioner, the same key asked again under any partition count",
    (calls) => {
      const ours = keyPartitioner()
      const kafkajs = Partitioners.DefaultPartitioner()
      // Each call asked twice: the second answer comes from what was remembered.
      for (const c of [...calls, ...calls]) {
        const args = {
          topic: c.topic,
          partitionMetadata: metadata(c.partitions),
          message: {
            key: c.key,
            value: "v",
            ...(c.partition === undefined ? {} : { partition: c.partition }),
          },
        }
        expect(ours(args)).toBe(kafkajs(args))
      }
    },
  )

  it("asks again when the topic's partition count changes, and keeps a message's own partition", () => {
    const ours = keyPartitioner()
    const kafkajs = Partitioners.DefaultPartitioner()
    const args = (partitions: number, partition?: number) => ({
      topic: "activities",
      partitionMetadata: metadata(partitions),
      message: { key: "b", value: "v", ...(partition === undefined ? {} : { partition }) },
    })
    for (const a of [args(6), args(6, 5), args(12), args(7), args(12), args(12, 3)])
      expect(ours(a)).toBe(kafkajs(a))
    // murmur2("b") answers differently under 6 and 12 partitions: the case is not vacuous.
    expect(kafkajs(args(6))).not.toBe(kafkajs(args(12)))
  })
})
