import { createRequire } from "node:module"
import { fc, test } from "@fast-check/vitest"
import { Effect } from "effect"
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest"
import { bothProduceRequests, tuneKafkajsEncoding } from "../../src/pipeline/kafkajs/kafkajsEncoding.ts"
import type { ProduceArgs } from "../../src/pipeline/kafkajs/kafkajsProduceRequest.ts"
import { routedBatches, simulatedIntegrations } from "../support/simulatorProduceRequests.ts"

// Before anything loads kafkajs's produce request: what these tests compare is the replacement.
const replaced = tuneKafkajsEncoding()
const require = createRequire(import.meta.url)
const Long = require("kafkajs/src/utils/long.js") as { fromValue(value: bigint | number): unknown }
const produceRequest = require("kafkajs/src/protocol/requests/produce/index.js") as {
  protocol(v: { version: number }): (args: ProduceArgs) => {
    request: { encode(): Promise<{ buf: Buffer; offset: number }> }
  }
}
const Encoder = require("kafkajs/src/protocol/encoder.js") as new () => {
  writeInt32(value: number): { writeEncoder(value: unknown): { buffer: Buffer } }
}
const createRequest = require("kafkajs/src/protocol/request.js") as (request: {
  correlationId: number
  clientId: string
  request: unknown
}) => Promise<{ buffer: Buffer }>

// kafkajs stamps a message without a timestamp with the wall clock, once per partition: both encodings the same.
beforeEach(() => {
  vi.spyOn(Date, "now").mockReturnValue(1_765_100_000_000)
})
afterEach(() => {
  vi.restoreAllMocks()
})

const text = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 200 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ minLength: 1_000, maxLength: 6_000 }),
)
const bytes = fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b))
const message = fc.record(
  {
    key: fc.oneof(text, bytes, fc.constant(null)),
    value: fc.oneof(text, bytes, fc.constant(null)),
    headers: fc.dictionary(
      fc.string({ unit: "grapheme", maxLength: 20 }),
      fc.oneof(text, bytes, fc.array(text, { maxLength: 3 })),
      { maxKeys: 12 },
    ),
    // kafkajs's messages carry their timestamp as text; numbers and none too.
    timestamp: fc.oneof(
      fc.integer({ min: 0, max: 2 ** 42 }).map(String),
      fc.integer({ min: 0, max: 2 ** 42 }),
      fc.constant(undefined),
    ),
  },
  { requiredKeys: ["key", "value"] },
)
const produceArgs = fc.record(
  {
    acks: fc.constantFrom(-1, 0, 1),
    timeout: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    transactionalId: fc.oneof(fc.string({ unit: "grapheme", maxLength: 60 }), fc.constant(null)),
    producerId: fc.bigInt({ min: -1n, max: 2n ** 63n - 1n }).map((id) => Long.fromValue(id)),
    producerEpoch: fc.integer({ min: 0, max: 32_767 }),
    topicData: fc.array(
      fc.record({
        topic: fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
        partitions: fc.array(
          fc.record(
            {
              partition: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
              firstSequence: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
              messages: fc.array(message, { maxLength: 12 }),
            },
            { requiredKeys: ["partition", "messages"] },
          ),
          { maxLength: 3 },
        ),
      }),
      { maxLength: 3 },
    ),
  },
  { requiredKeys: ["acks", "timeout", "topicData"] },
)
// kafkajs's createRequest puts the client id before the payload: short ones fit the room kept in front, long
// ones do not and take kafkajs's copy.
const clientId = fc.oneof(fc.string({ maxLength: 40 }), fc.string({ minLength: 250, maxLength: 400 }))

/** The tuned request's payload encoder and the whole request made from it, as a connection makes it. */
const tunedRequest = async (args: ProduceArgs, id: string) => {
  // v3, as `bothProduceRequests` encodes it (v4–v7 are v3's bytes under another version number).
  const request = produceRequest.protocol({ version: 3 })(args).request
  const encode = request.encode.bind(request)
  let payload: { buf: Buffer; offset: number } | undefined
  request.encode = async () => {
    payload = await encode()
    return payload
  }
  const { buffer } = await createRequest({ correlationId: 7, clientId: id, request })
  return { buffer, payload: payload as { buf: Buffer; offset: number } }
}

describe("kafkajs's produce request, written once", () => {
  it("replaces kafkajs's produce request v3 when tuned before it loads", () => {
    expect(replaced).toBe(true)
    const v3 = require("kafkajs/src/protocol/requests/produce/v3/request.js") as { name: string }
    expect(v3.name).toBe("tunedProduce")
  })

  test.prop([produceArgs, clientId], { numRuns: 300 })(
    "encodes every produce request to kafkajs's bytes",
    async (args, id) => {
      const { kafkajs, tuned } = await bothProduceRequests(args, id)
      expect(tuned.equals(kafkajs)).toBe(true)
    },
  )

  it("encodes a compressed request as kafkajs does (kafkajs's own code)", async () => {
    const args = {
      acks: -1,
      timeout: 30_000,
      compression: 1,
      transactionalId: "tx",
      topicData: [
        { topic: "t", partitions: [{ partition: 0, messages: [{ key: "k", value: "v".repeat(900) }] }] },
      ],
    }
    const { kafkajs, tuned } = await bothProduceRequests(args, "siem-connector")
    expect(tuned.equals(kafkajs)).toBe(true)
  })

  it("writes a page of the connector's size once: the request is the payload's own buffer", async () => {
    const messages = Array.from({ length: 1_000 }, (_, i) => ({
      key: "00eb5ac2-c14a-40f3-80d1-5289533f2c8f",
      value: JSON.stringify({ id: `${i}`, remote_data: { text: "é ∑ 😀 ".repeat(300) } }),
      timestamp: String(1_765_000_000_000 + i),
      headers: { ce_specversion: "1.0", ce_id: `00u${i}`, "content-type": "application/json" },
    }))
    const args: ProduceArgs = {
      acks: -1,
      timeout: 30_000,
      transactionalId: "siem-connector-shard-0",
      producerId: Long.fromValue(4242),
      producerEpoch: 1,
      topicData: [
        { topic: "activities", partitions: [{ partition: 3, firstSequence: 9, messages }] },
        { topic: "login_failed", partitions: [{ partition: 0, messages: messages.slice(0, 50) }] },
      ],
    }
    const { kafkajs } = await bothProduceRequests(args, "siem-connector")
    const { buffer, payload } = await tunedRequest(args, "siem-connector")
    expect(buffer.length).toBeGreaterThan(1_000_000)
    expect(buffer.equals(kafkajs)).toBe(true)
    // No copy of the page: the header went into the room in front of the payload, in the same memory.
    expect(buffer.buffer === payload.buf.buffer, "the request shares the payload's memory").toBe(true)
    expect(buffer.byteOffset + buffer.length).toBe(payload.buf.byteOffset + payload.offset)
  })

  it("copies a payload written a second time, and leaves the first writer's bytes as they were", async () => {
    const args: ProduceArgs = {
      acks: -1,
      timeout: 30_000,
      topicData: [
        { topic: "t", partitions: [{ partition: 0, messages: [{ key: "k", value: "v".repeat(5_000) }] }] },
      ],
    }
    const payload = await produceRequest.protocol({ version: 3 })(args).request.encode()
    const bytes = Buffer.from(payload.buf.subarray(0, payload.offset))
    const header = (n: number) => Buffer.from([0, 0, 0, n])
    const first = new Encoder().writeInt32(1).writeEncoder(payload)
    const second = new Encoder().writeInt32(2).writeEncoder(payload)
    expect(second.buffer.equals(Buffer.concat([header(2), bytes]))).toBe(true)
    expect(first.buffer.equals(Buffer.concat([header(1), bytes]))).toBe(true)
  })

  it("encodes every routed message of the 13 simulators to kafkajs's bytes, OCSF off and on", async () => {
    let requests = 0
    const port = 0
    for (const ocsf of [false, true])
      for (const integration of simulatedIntegrations()) {
        const batches = await Effect.runPromise(
          routedBatches(integration, { seed: 3, records: 150, port, ocsf }),
        )
        for (const [i, batch] of batches.entries()) {
          const args: ProduceArgs = {
            acks: -1,
            timeout: 30_000,
            transactionalId: `tx-${integration}`,
            producerId: Long.fromValue(4242 + i),
            producerEpoch: 3,
            topicData: [{ topic: batch.topic, partitions: [{ partition: i, messages: batch.messages }] }],
          }
          const { kafkajs, tuned } = await bothProduceRequests(args, "siem-connector")
          expect(tuned.equals(kafkajs), `${integration}, request ${i}`).toBe(true)
          requests++
        }
      }
    expect(requests).toBeGreaterThanOrEqual(26)
  })
})
