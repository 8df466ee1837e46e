import { randomUUID } from "node:crypto"
import { Partitioners } from "kafkajs"
import { describe, expect, it } from "vitest"
import { shardCount, shardOf } from "../../src/pipeline/Shard.ts"

describe("shardOf", () => {
  it("is Kafka's default partitioner (murmur2 of the key), so the shard is the partition Kafka's tools pick", () => {
    const partitioner = Partitioners.DefaultPartitioner()
    for (const partitions of [1, 3, 6, 7, 64]) {
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({
        partitionId,
        leader: 0,
        partitionErrorCode: 0,
        replicas: [0],
        isr: [0],
      }))
      for (let i = 0; i < 200; i++) {
        const id = i % 2 === 0 ? randomUUID() : `x${"é".repeat(i % 5)}${i}`
        const expected = partitioner({ topic: "t", partitionMetadata, message: { key: id, value: null } })
        expect(shardOf(id, partitions)).toBe(expected)
      }
    }
  })

  it("spreads accounts over the shards", () => {
    const counts = new Array(6).fill(0)
    for (let i = 0; i < 6_000; i++) counts[shardOf(randomUUID(), 6)]++
    for (const count of counts) expect(count).toBeGreaterThan(800)
  })

  it("the shard count is kafka.shards, else kafka.partitions", () => {
    expect(shardCount({ partitions: 3 })).toBe(3)
    expect(shardCount({ partitions: 3, shards: 12 })).toBe(12)
  })
})
