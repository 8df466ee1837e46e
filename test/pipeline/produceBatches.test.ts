import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import type { OutgoingMessage } from "../../src/pipeline/ActivityMessages.ts"
import { approximateRecordBytes, produceBatches, produceRequests } from "../../src/pipeline/produceBatches.ts"

const message = (topic: string, id: number, valueBytes: number): OutgoingMessage => ({
  topic,
  message: { key: "account", value: `${id}:${"x".repeat(valueBytes)}`, headers: { ce_id: String(id) } },
})

describe("produceBatches", () => {
  it("splits a page into produce calls under the limit, keeping every record once and each topic's order", () => {
    const page = Array.from({ length: 300 }, (_, i) =>
      message(i % 7 === 0 ? "failed" : "activities", i, 2_000),
    )
    const limit = 64 * 1024
    const batches = produceBatches(page, limit)

    for (const batch of batches) {
      const bytes = batch.messages.reduce((sum, m) => sum + approximateRecordBytes(m), 0)
      expect(bytes).toBeLessThanOrEqual(limit)
    }
    expect(batches.length).toBeGreaterThan((page.length * 2_000) / limit)
    for (const topic of ["activities", "failed"]) {
      const sent = batches.filter((b) => b.topic === topic).flatMap((b) => b.messages.map((m) => m.value))
      expect(sent).toEqual(page.filter((m) => m.topic === topic).map((m) => m.message.value))
    }
  })

  it("keeps a small page in one call per topic", () => {
    const page = [message("a", 1, 10), message("b", 2, 10), message("a", 3, 10)]
    expect(produceBatches(page, 1_000_000).map((b) => [b.topic, b.messages.length])).toEqual([
      ["a", 2],
      ["b", 1],
    ])
  })

  it("a single record over the limit still goes out alone (the broker's verdict, not a silent drop)", () => {
    const batches = produceBatches([message("a", 1, 10), message("a", 2, 5_000), message("a", 3, 10)], 1_000)
    expect(batches.map((b) => b.messages.length)).toEqual([1, 1, 1])
  })

  it("puts at most one batch of a topic in a request (kafkajs merges a topic's entries), in each topic's order", () => {
    const page = Array.from({ length: 300 }, (_, i) =>
      message(i % 7 === 0 ? "failed" : "activities", i, 2_000),
    )
    const batches = produceBatches([...page, message("checkpoints", 300, 100)], 64 * 1024)
    const requests = produceRequests(batches)

    for (const request of requests) expect(new Set(request.map((b) => b.topic)).size).toBe(request.length)
    // As many requests as the topic with the most batches needs, not one per batch.
    const perTopic = (topic: string) => batches.filter((b) => b.topic === topic).length
    expect(requests.length).toBe(Math.max(perTopic("activities"), perTopic("failed")))
    expect(requests.length).toBeLessThan(batches.length)
    expect(requests[0]?.map((b) => b.topic).sort()).toEqual(["activities", "checkpoints", "failed"])
    for (const topic of ["activities", "failed", "checkpoints"])
      expect(requests.flatMap((r) => r.filter((b) => b.topic === topic))).toEqual(
        batches.filter((b) => b.topic === topic),
      )
  })
})

describe("approximateRecordBytes", () => {
  // Batch boundaries follow this count, so it must not move: the count as it was written before (pairs of
  // Object.entries), against which the loop over the keys is held.
  const asBefore = (m: OutgoingMessage["message"]) =>
    64 +
    Buffer.byteLength(m.key) +
    Buffer.byteLength(m.value) +
    Object.entries(m.headers ?? {}).reduce(
      (sum, [k, v]) => sum + Buffer.byteLength(k) + Buffer.byteLength(v),
      0,
    )

  test.prop([
    fc.record(
      {
        key: fc.string({ unit: "grapheme" }),
        value: fc.string({ unit: "grapheme", maxLength: 3_000 }),
        headers: fc.dictionary(
          fc.string({ unit: "grapheme", maxLength: 20 }),
          fc.string({ unit: "grapheme" }),
        ),
      },
      { requiredKeys: ["key", "value"] },
    ),
  ])("counts a record's key, value and headers as before", (m) => {
    expect(approximateRecordBytes(m)).toBe(asBefore(m))
  })
})
