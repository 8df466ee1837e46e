import { execFileSync } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath } from "node:url"
import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import {
  bothChecksums,
  bothEncodings,
  tuneKafkajsEncoding,
} from "../../src/pipeline/kafkajs/kafkajsEncoding.ts"

const require = createRequire(import.meta.url)
const Encoder = require("kafkajs/src/protocol/encoder.js") as new () => {
  writeVarInt(value: number): unknown
  writeVarLong(value: number): unknown
  writeUVarInt(value: number): unknown
  writeVarIntBytes(value: unknown): unknown
  buffer: Buffer
}
const { RecordBatch } = require("kafkajs/src/protocol/recordBatch/v0/index.js") as {
  RecordBatch: (batch: Record<string, unknown>) => Promise<{ buffer: Buffer }>
}

type Record0 = Parameters<Parameters<typeof bothEncodings>[0]>[0]
const bytesOf = (record: Record0, input: Parameters<Record0>[0]) =>
  (record(input) as unknown as { buffer: Buffer }).buffer

const text = fc.oneof(
  fc.string({ unit: "grapheme", maxLength: 300 }),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ minLength: 1_000, maxLength: 20_000 }),
)
const bytes = fc.uint8Array({ maxLength: 3_000 }).map((b) => Buffer.from(b))
const headerValue = fc.oneof(text, bytes, fc.array(text, { maxLength: 3 }))
const record = fc.record({
  key: fc.oneof(text, bytes, fc.constant(null)),
  value: fc.oneof(text, bytes, fc.constant(null)),
  headers: fc.dictionary(fc.string({ unit: "grapheme", maxLength: 30 }), headerValue, { maxKeys: 14 }),
  offsetDelta: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  timestampDelta: fc.oneof(fc.integer({ min: -(2 ** 31), max: 2 ** 31 }), fc.maxSafeInteger()),
})

describe("kafkajs's record encoding, tuned", () => {
  test.prop([record], { numRuns: 1_500 })("encodes every record to kafkajs's bytes", (input) => {
    const { kafkajs, tuned } = bothEncodings((encode) => bytesOf(encode, input))
    expect(tuned.equals(kafkajs)).toBe(true)
  })

  it("encodes the connector's records to kafkajs's bytes: 11 CloudEvents headers, a 2 KB value", () => {
    const input = {
      key: "00eb5ac2-c14a-40f3-80d1-5289533f2c8f",
      value: JSON.stringify({ id: "x".repeat(40), remote_data: { text: "é ∑ 😀 ".repeat(300) } }),
      headers: {
        ce_specversion: "1.0",
        ce_id: "00u1abc",
        ce_source: "okta:https://example.okta.com/00eb5ac2-c14a-40f3-80d1-5289533f2c8f",
        ce_type: "com.siem-connector.user-directory.activity.login_failed",
        ce_time: "2026-12-07T09:59:00.000Z",
        ce_dataschema: "https://example.com/schemas/activities/v1.json",
        "content-type": "application/json",
        integration: "okta",
        integrated_account_id: "00eb5ac2-c14a-40f3-80d1-5289533f2c8f",
        action: "login_failed",
        dedupe_key: "f".repeat(64),
      },
      offsetDelta: 999,
      timestampDelta: 1_765_100_000_000,
    }
    const { kafkajs, tuned } = bothEncodings((encode) => bytesOf(encode, input))
    expect(tuned.equals(kafkajs)).toBe(true)
  })

  test.prop([fc.array(fc.oneof(fc.integer(), fc.integer({ min: -200, max: 200 })), { maxLength: 50 })])(
    "writes varints as kafkajs does",
    (values) => {
      const encode = () => {
        const e = new Encoder()
        for (const v of values) e.writeVarInt(v)
        for (const v of values) e.writeUVarInt(v)
        return e.buffer
      }
      const { kafkajs, tuned } = bothEncodings(encode)
      expect(tuned.equals(kafkajs)).toBe(true)
    },
  )

  test.prop([
    fc.array(fc.oneof(fc.maxSafeInteger(), fc.integer({ min: -300, max: 300 })), { maxLength: 50 }),
  ])("writes varlongs as kafkajs does", (values) => {
    const encode = () => {
      const e = new Encoder()
      for (const v of values) e.writeVarLong(v)
      return e.buffer
    }
    const { kafkajs, tuned } = bothEncodings(encode)
    expect(tuned.equals(kafkajs)).toBe(true)
  })

  it("grows an encoder past a megabyte to the same bytes: a record batch of 600 records and its CRC", async () => {
    const records = Array.from({ length: 600 }, (_, i) => ({
      key: `k${i}`,
      value: `${i}:${"v".repeat(2_000 + i)}`,
      headers: { a: String(i), b: "é".repeat(i % 50) },
      offsetDelta: i,
      timestampDelta: i * 7,
    }))
    const { kafkajs, tuned } = bothEncodings((encode) =>
      RecordBatch({ records: records.map((r) => encode(r)), firstTimestamp: 1, maxTimestamp: 9 }),
    )
    const [a, b] = await Promise.all([kafkajs, tuned])
    expect(b.buffer.length).toBeGreaterThan(1_000_000)
    expect(b.buffer.equals(a.buffer)).toBe(true)
  })

  test.prop([fc.uint8Array({ maxLength: 5_000 })], { numRuns: 500 })(
    "checksums a record batch as kafkajs does (CRC-32C)",
    (bytes) => {
      const { kafkajs, tuned } = bothChecksums(Buffer.from(bytes))
      expect(tuned).toBe(kafkajs)
    },
  )

  it("checksums a 2.5 MB batch as kafkajs does", () => {
    const big = Buffer.alloc(2_500_000)
    for (let i = 0; i < big.length; i++) big[i] = (i * 2654435761) >>> 24
    const { kafkajs, tuned } = bothChecksums(big)
    expect(tuned).toBe(kafkajs)
  })

  it("replaces the record encoder, the CRC and the produce request when called before kafkajs first loads its produce request", () => {
    const module = fileURLToPath(new URL("../../src/pipeline/kafkajs/kafkajsEncoding.ts", import.meta.url))
    const answer = execFileSync(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        [
          `import { tuneKafkajsEncoding } from ${JSON.stringify(module)}`,
          `import { createRequire } from "node:module"`,
          "const replaced = tuneKafkajsEncoding()",
          // What the produce request takes when it loads is what it encodes records with.
          `const require = createRequire(${JSON.stringify(module)})`,
          `require("kafkajs/src/protocol/requests/produce/v3/request.js")`,
          `const record = require("kafkajs/src/protocol/recordBatch/record/v0/index.js")`,
          `const crc = require("kafkajs/src/protocol/recordBatch/crc32C/index.js")`,
          `const produce = require("kafkajs/src/protocol/requests/produce/v3/request.js")`,
          "console.log(JSON.stringify({ replaced, record: record.name, crc: crc.name, produce: produce.name }))",
        ].join("\n"),
      ],
      { encoding: "utf8" },
    )
    expect(JSON.parse(answer)).toEqual({
      replaced: true,
      record: "tunedRecord",
      crc: "tunedCrc",
      produce: "tunedProduce",
    })
    // Once applied, the answer stays the same.
    expect(tuneKafkajsEncoding()).toBe(tuneKafkajsEncoding())
  })
})
