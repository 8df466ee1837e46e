import { createRequire } from "node:module"
import { crc32c } from "@node-rs/crc32"
import {
  adoptingWriteEncoder,
  type ProduceArgs,
  type ProduceRequestModule,
  tunedProduceRequest,
} from "./kafkajsProduceRequest.ts"

const require = createRequire(import.meta.url)

/** kafkajs's Encoder (src/protocol/encoder.js), as far as these files use it. */
export interface Encoder {
  buf: Buffer
  offset: number
  ensureAvailable(length: number): void
  writeInt8(value: number): Encoder
  writeInt16(value: number): Encoder
  writeInt32(value: number): Encoder
  writeInt64(value: unknown): Encoder
  writeString(value: string | null): Encoder
  writeEncoder(value: Encoder): Encoder
  writeVarInt(value: number): Encoder
  writeVarLong(value: unknown): Encoder
  writeVarIntString(value: string): Encoder
  writeVarIntBytes(value: unknown): Encoder
}
export interface EncoderClass {
  new (initialSize?: number): Encoder
  nextPowerOfTwo(value: number): number
  encodeZigZag64(value: unknown): Long
  sizeOfVarInt(value: number): number
  sizeOfVarLong(value: unknown): number
  sizeOfVarIntBytes(value: unknown): number
  prototype: Encoder
}
interface Long {
  and(value: number | bigint): Long
  or(value: number): Long
  notEquals(value: Long): boolean
  shiftRightUnsigned(bits: number): Long
  toInt(): number
}
export interface RecordInput {
  readonly offsetDelta?: number
  readonly timestampDelta?: unknown
  readonly key?: unknown
  readonly value?: unknown
  readonly headers?: Readonly<Record<string, unknown>> | undefined
}
type RecordEncoder = (record: RecordInput) => Encoder

const paths = {
  encoder: require.resolve("kafkajs/src/protocol/encoder.js"),
  record: require.resolve("kafkajs/src/protocol/recordBatch/record/v0/index.js"),
  produce: require.resolve("kafkajs/src/protocol/requests/produce/v3/request.js"),
  recordBatch: require.resolve("kafkajs/src/protocol/recordBatch/v0/index.js"),
  crc32C: require.resolve("kafkajs/src/protocol/recordBatch/crc32C/index.js"),
  long: require.resolve("kafkajs/src/utils/long.js"),
  compression: require.resolve("kafkajs/src/protocol/message/compression/index.js"),
  request: require.resolve("kafkajs/src/protocol/request.js"),
}

/**
 * kafkajs 2.2.4, the last release (the card keeps kafkajs), encodes every produced record with a fresh,
 * zero-filled 512-byte Buffer for the record and another for each of its headers, grown by reallocating and
 * copying, and a `Buffer.from([…])` for every varint. The connector's records carry 11 headers and about 2 KB
 * each: the profile of the e2e bench had kafkajs's record and header encoding at 13 % of the main thread's busy
 * time, Buffer allocation (`FastBuffer`) at 7.7 % and the garbage collector at 10 %; its record batch's CRC-32C,
 * a byte at a time in JavaScript, 5.5 % (6 ms a 2.5 MB page; @node-rs/crc32's, 0.23 ms). What the broker receives is
 * byte for byte the same (test/pipeline/kafkajsEncoding.test.ts holds this encoder to kafkajs's own).
 *
 * Once per process, before kafkajs first loads its produce request and record batch (which take the record
 * encoder and the CRC when they load): the record encoder is replaced by one that sizes the record first and
 * writes it, headers included, into one buffer; the CRC by @node-rs/crc32's; varints are written in place; an
 * encoder grows without zero-filling (nothing past its offset is ever read). Answers whether the record encoder
 * and the CRC were replaced: a process that produced through kafkajs before calling this keeps kafkajs's
 * (correct, slower).
 */
export const tuneKafkajsEncoding = (): boolean => {
  if (state !== undefined) return state.replaced
  const Encoder = require(paths.encoder) as EncoderClass
  const proto = Encoder.prototype as unknown as Record<PatchedMethod, unknown>
  for (const method of patchedMethods)
    if (typeof proto[method] !== "function")
      // A kafkajs whose internals moved: fail at start rather than encode differently.
      throw new Error(`kafkajs's Encoder.${method} is gone: review src/pipeline/kafkajs/kafkajsEncoding.ts`)
  const kafkajsMethods = Object.fromEntries(patchedMethods.map((m) => [m, proto[m]]))
  const LongClass = require(paths.long) as { fromInt(value: number): Long }
  const tunedMethods = {
    ...encoderMethods(Encoder, LongClass),
    writeEncoder: adoptingWriteEncoder(
      kafkajsMethods.writeEncoder as Parameters<typeof adoptingWriteEncoder>[0],
    ),
  }
  Object.assign(proto, tunedMethods)
  const kafkajsRecord = require(paths.record) as RecordEncoder
  const tunedRecord = recordEncoder(Encoder)
  const cached = require.cache[paths.record]
  const kafkajsCrc = require(paths.crc32C) as (buffer: Buffer) => number
  const cachedCrc = require.cache[paths.crc32C]
  const replaced =
    require.cache[paths.produce] === undefined &&
    require.cache[paths.recordBatch] === undefined &&
    cached !== undefined &&
    cachedCrc !== undefined
  let produce: { readonly kafkajs: ProduceRequestModule; readonly tuned: ProduceRequestModule } | undefined
  if (replaced) {
    cached.exports = tunedRecord
    cachedCrc.exports = tunedCrc
    // Loaded now, it takes the record encoder and CRC above; v4–v7 call v3's, and load it first.
    const kafkajsProduce = require(paths.produce) as ProduceRequestModule
    const kafkajs = {
      Encoder,
      Long: LongClass,
      crc32C: tunedCrc,
      none: (require(paths.compression) as { Types: { None: number } }).Types.None,
    }
    const tuned = tunedProduceRequest(kafkajs, kafkajsProduce)
    ;(require.cache[paths.produce] as NodeJS.Module).exports = tuned
    produce = { kafkajs: kafkajsProduce, tuned }
  }
  state = { replaced, proto, kafkajsMethods, tunedMethods, kafkajsRecord, tunedRecord, kafkajsCrc, produce }
  return replaced
}

const patchedMethods = [
  "ensureAvailable",
  "writeUVarInt",
  "writeVarInt",
  "writeVarLong",
  "writeEncoder",
] as const
type PatchedMethod = (typeof patchedMethods)[number]

let state:
  | {
      readonly replaced: boolean
      readonly proto: Record<PatchedMethod, unknown>
      readonly kafkajsMethods: Record<string, unknown>
      readonly tunedMethods: Record<string, unknown>
      readonly kafkajsRecord: RecordEncoder
      readonly tunedRecord: RecordEncoder
      readonly kafkajsCrc: (buffer: Buffer) => number
      readonly produce:
        | { readonly kafkajs: ProduceRequestModule; readonly tuned: ProduceRequestModule }
        | undefined
    }
  | undefined

/**
 * For the test that holds this encoding to kafkajs's: `encode` run with kafkajs's own record encoder and
 * Encoder methods (restored for the call, synchronously), and with this file's.
 */
export const bothEncodings = <A>(encode: (record: RecordEncoder) => A): { kafkajs: A; tuned: A } => {
  tuneKafkajsEncoding()
  const s = state as NonNullable<typeof state>
  Object.assign(s.proto, s.kafkajsMethods)
  let kafkajs: A
  try {
    kafkajs = encode(s.kafkajsRecord)
  } finally {
    Object.assign(s.proto, s.tunedMethods)
  }
  return { kafkajs, tuned: encode(s.tunedRecord) }
}

/**
 * For the tests that hold the produce request to kafkajs's: the whole request (kafkajs's `createRequest`
 * around the produce request v3 of `args`), encoded by kafkajs's own code (its produce request, record batch,
 * record encoder, CRC and Encoder methods, restored for the call) and by the tuned one. The tuned request's
 * bytes are returned as written (a view of the one buffer), kafkajs's as a copy. Only where the replacement
 * applied; no other encoding may run meanwhile, as the restored methods are the process's.
 */
export const bothProduceRequests = async (args: ProduceArgs, clientId: string) => {
  tuneKafkajsEncoding()
  const s = state as NonNullable<typeof state>
  if (s.produce === undefined) throw new Error("kafkajs's produce request loaded before tuneKafkajsEncoding")
  const createRequest = require(paths.request) as (request: {
    correlationId: number
    clientId: string
    request: unknown
  }) => Promise<{ buffer: Buffer }>
  const encodeWith = async (produce: ProduceRequestModule) =>
    (await createRequest({ correlationId: 7, clientId, request: produce(args) })).buffer
  Object.assign(s.proto, s.kafkajsMethods)
  reference = true
  let kafkajs: Buffer
  try {
    kafkajs = Buffer.from(await encodeWith(s.produce.kafkajs))
  } finally {
    reference = false
    Object.assign(s.proto, s.tunedMethods)
  }
  return { kafkajs, tuned: await encodeWith(s.produce.tuned) }
}

/** A record batch's CRC-32C (Castagnoli), unsigned, as kafkajs's crc32C module answers it. */
const tunedCrc = (buffer: Buffer): number =>
  reference ? (state as NonNullable<typeof state>).kafkajsCrc(buffer) : crc32c(buffer)

/**
 * Set only while a test encodes with kafkajs's own code (`asKafkajs`): the record encoder and the CRC, which
 * kafkajs's modules took when they loaded, then answer as kafkajs's.
 */
let reference = false

/** For the test that holds the CRC to kafkajs's: both answers for `buffer`. */
export const bothChecksums = (buffer: Buffer) => {
  tuneKafkajsEncoding()
  return { kafkajs: (state as NonNullable<typeof state>).kafkajsCrc(buffer), tuned: tunedCrc(buffer) }
}

const MOST_SIGNIFICANT_BIT = 0x80
const OTHER_BITS = 0x7f
const UNSIGNED_INT32_MAX_NUMBER = 0xffffff80
const UNSIGNED_INT64_MAX_NUMBER = 0xffffffffffffff80n

/** kafkajs's Encoder methods, the same bytes without a Buffer per varint or zero-filled growth. */
const encoderMethods = (Encoder: EncoderClass, LongClass: { fromInt(value: number): Long }) => {
  const zero = LongClass.fromInt(0)
  // The same bytes as kafkajs's loops (LEB128 of the value), written in place.
  const writeUVarInt = function (this: Encoder, unsigned: number) {
    let value = unsigned
    this.ensureAvailable(5)
    while ((value & UNSIGNED_INT32_MAX_NUMBER) !== 0) {
      this.buf[this.offset++] = (value & OTHER_BITS) | MOST_SIGNIFICANT_BIT
      value >>>= 7
    }
    this.buf[this.offset++] = value & OTHER_BITS
    return this
  }
  return {
    // Unzeroed: an encoder's bytes past its offset are never read (`buffer` is the slice up to it).
    ensureAvailable(this: Encoder, length: number) {
      if (this.offset + length > this.buf.length) {
        const grown = Buffer.allocUnsafe(Encoder.nextPowerOfTwo(this.offset + length))
        this.buf.copy(grown, 0, 0, this.offset)
        this.buf = grown
      }
    },
    writeUVarInt,
    writeVarInt(this: Encoder, value: number) {
      // kafkajs's zigzag (Encoder.encodeZigZag).
      return writeUVarInt.call(this, (value << 1) ^ (value >> 31))
    },
    writeVarLong(this: Encoder, value: unknown) {
      let long = Encoder.encodeZigZag64(value)
      this.ensureAvailable(10)
      while (long.and(UNSIGNED_INT64_MAX_NUMBER).notEquals(zero)) {
        this.buf[this.offset++] = long.and(OTHER_BITS).or(MOST_SIGNIFICANT_BIT).toInt() & 0xff
        long = long.shiftRightUnsigned(7)
      }
      this.buf[this.offset++] = long.toInt() & 0xff
      return this
    },
  } satisfies Record<Exclude<PatchedMethod, "writeEncoder">, unknown>
}

/** Each header as kafkajs lists them: an array value is one header per element, under the same key. */
const headerList = (headers: Readonly<Record<string, unknown>>) => {
  const list: Array<readonly [string, unknown]> = []
  for (const key of Object.keys(headers)) {
    const value = headers[key]
    if (Array.isArray(value)) for (const each of value) list.push([key, each])
    else list.push([key, value])
  }
  return list
}

/** A record's fields with kafkajs's defaults, its headers listed, and its sizes: what writing it needs. */
export interface RecordPlan {
  readonly offsetDelta: number
  readonly timestampDelta: unknown
  readonly key: unknown
  readonly value: unknown
  readonly headers: ReadonlyArray<readonly [string, unknown]>
  readonly sizeOfBody: number
  /** The record's bytes in all: its length varint and its body. */
  readonly size: number
}

/** Sizes a record as kafkajs's record v0 encoder (recordBatch/record/v0) would write it. */
export const planRecord = (
  Encoder: EncoderClass,
  { offsetDelta = 0, timestampDelta = 0, key, value, headers = {} }: RecordInput,
): RecordPlan => {
  const list = headerList(headers)
  let headersSize = Encoder.sizeOfVarInt(list.length)
  for (const [headerKey, headerValue] of list) {
    const keySize = Buffer.byteLength(headerKey)
    // As kafkajs: the value's length is taken before its null check (a null header value throws there too).
    const valueSize = Buffer.byteLength(headerValue as string)
    headersSize += Encoder.sizeOfVarInt(keySize) + keySize
    headersSize +=
      headerValue === null ? Encoder.sizeOfVarInt(-1) : Encoder.sizeOfVarInt(valueSize) + valueSize
  }
  const sizeOfBody =
    1 +
    Encoder.sizeOfVarLong(timestampDelta) +
    Encoder.sizeOfVarInt(offsetDelta) +
    Encoder.sizeOfVarIntBytes(key) +
    Encoder.sizeOfVarIntBytes(value) +
    headersSize
  const size = Encoder.sizeOfVarInt(sizeOfBody) + sizeOfBody
  return { offsetDelta, timestampDelta, key, value, headers: list, sizeOfBody, size }
}

/** Writes a planned record at the encoder's offset, kafkajs's record v0 bytes. */
export const writeRecord = (encoder: Encoder, plan: RecordPlan) => {
  encoder
    .writeVarInt(plan.sizeOfBody)
    .writeInt8(0)
    .writeVarLong(plan.timestampDelta)
    .writeVarInt(plan.offsetDelta)
    .writeVarIntBytes(plan.key)
    .writeVarIntBytes(plan.value)
    .writeVarInt(plan.headers.length)
  for (const [headerKey, headerValue] of plan.headers)
    encoder.writeVarIntString(headerKey).writeVarIntBytes(headerValue)
}

/** kafkajs's record v0 encoder, the record sized first and written into one buffer. */
const recordEncoder = (Encoder: EncoderClass): RecordEncoder => {
  const tunedRecord: RecordEncoder = (record) => {
    // For the tests that hold the tuned produce request to kafkajs's own code end to end.
    if (reference) return (state as NonNullable<typeof state>).kafkajsRecord(record)
    const plan = planRecord(Encoder, record)
    // A one-byte start: the buffer is then taken once, unzeroed, at the record's size (and the 5 bytes a
    // varint's write asks to have free).
    const encoder = new Encoder(0)
    encoder.ensureAvailable(plan.size + 5)
    writeRecord(encoder, plan)
    return encoder
  }
  return tunedRecord
}
