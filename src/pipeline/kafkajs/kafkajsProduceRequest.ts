import type { Encoder, EncoderClass, RecordInput } from "./kafkajsEncoding.ts"
import { planRecord, type RecordPlan, writeRecord } from "./kafkajsEncoding.ts"

/** What kafkajs's producer hands its produce request v3 (and v4–v7, which call v3's). */
export interface ProduceArgs {
  readonly acks: number
  readonly timeout: number
  readonly transactionalId?: string | null
  readonly producerId?: unknown
  readonly producerEpoch?: number
  readonly compression?: number
  readonly topicData: ReadonlyArray<{
    readonly topic: string
    readonly partitions: ReadonlyArray<{
      readonly partition: number
      readonly firstSequence?: number
      readonly messages: ReadonlyArray<RecordInput & { readonly timestamp?: unknown }>
    }>
  }>
}
export interface ProduceRequest {
  encode: () => Promise<Encoder>
}
export type ProduceRequestModule = (args: ProduceArgs) => ProduceRequest

interface Kafkajs {
  readonly Encoder: EncoderClass
  readonly Long: { fromInt(value: number): unknown }
  readonly crc32C: (buffer: Buffer) => number
  /** The no-compression code of kafkajs's compression Types. */
  readonly none: number
}

/**
 * Bytes kept free in front of a produce request's payload for what kafkajs's `createRequest` puts before it:
 * size (4), api key (2), version (2), correlation id (4) and the client id as a string (2 + its length). A
 * client id longer than this leaves the payload copied once there, as kafkajs does.
 */
const HEADROOM = 256
/** kafkajs's varint writes ask for 5 (10 for a long) bytes free whatever they write: kept free at the end. */
const TAILROOM = 10

/** A payload's buffer with room in front: `view` is what its encoder holds, `start` where it begins in `whole`. */
interface Room {
  readonly whole: Buffer
  readonly start: number
  readonly view: Buffer
}
const rooms = new WeakMap<object, Room>()

/**
 * kafkajs's `Encoder.writeEncoder` copies the written encoder's bytes after its own. kafkajs's `createRequest`
 * (protocol/request.js, bound by every connection when kafkajs loads) puts a produce request's header before
 * its payload that way twice, each time copying the whole page. For a payload written with room in front, the
 * header goes into that room instead and the encoder takes the payload's memory as its own: the same bytes, no
 * copy. Anything else, or a payload whose room is taken or whose encoder has grown since, is copied as kafkajs
 * does.
 */
export const adoptingWriteEncoder = (kafkajsWriteEncoder: (this: Encoder, value: Encoder) => Encoder) =>
  function writeEncoder(this: Encoder, value: Encoder): Encoder {
    const room = rooms.get(value)
    if (room === undefined || room.view !== value.buf || this.offset > room.start)
      return kafkajsWriteEncoder.call(this, value)
    // The room is used once: a second writer of the same payload copies it.
    rooms.delete(value)
    const start = room.start - this.offset
    this.buf.copy(room.whole, start, 0, this.offset)
    const view = room.whole.subarray(start, room.start + value.offset)
    this.buf = view
    this.offset = view.length
    rooms.set(this, { whole: room.whole, start, view })
    return this
  }

interface PartitionPlan {
  readonly partition: number
  readonly records: ReadonlyArray<RecordPlan>
  readonly firstTimestamp: unknown
  readonly maxTimestamp: unknown
  readonly firstSequence: number
  /** The record batch's body: attributes to the records' end, what its CRC covers. */
  readonly bodySize: number
}

const sizeOfString = (value: string | null) => (value == null ? 2 : 2 + Buffer.byteLength(value, "utf8"))

// Attributes to first sequence (2 + 4 + 8 + 8 + 8 + 2 + 4) and the records' count.
const BATCH_BODY_HEADER = 40
// Partition leader epoch, magic byte and CRC, before the body.
const BATCH_PREFIX = 9
const MAGIC_BYTE = 2
const TRANSACTIONAL_ATTRIBUTE = 16

/** A record batch's size as kafkajs's partition encoder writes it: first offset, length, then the batch. */
const recordBatchSize = (plan: PartitionPlan) => 8 + 4 + BATCH_PREFIX + plan.bodySize

/** Sizes one partition's record batch, timestamps and deltas as kafkajs's produce request v3 takes them. */
const planPartition = (
  Encoder: EncoderClass,
  { partition, messages, firstSequence = 0 }: ProduceArgs["topicData"][number]["partitions"][number],
): PartitionPlan => {
  // kafkajs's own choice (partitionsEncoder): a message without a timestamp is stamped with the wall clock.
  const dateNow = Date.now()
  const messageTimestamps = messages
    .map((m) => m.timestamp)
    .filter((timestamp) => timestamp != null)
    // kafkajs sorts them as strings, and so must this, to name the same first and max timestamps.
    .sort()
  const timestamps = messageTimestamps.length === 0 ? [dateNow] : messageTimestamps
  const firstTimestamp = timestamps[0]
  const maxTimestamp = timestamps[timestamps.length - 1]
  let bodySize = BATCH_BODY_HEADER
  const records = messages.map((message, i) => {
    const plan = planRecord(Encoder, {
      key: message.key,
      value: message.value,
      headers: message.headers,
      offsetDelta: i,
      timestampDelta: ((message.timestamp || dateNow) as number) - (firstTimestamp as number),
    })
    bodySize += plan.size
    return plan
  })
  return { partition, records, firstTimestamp, maxTimestamp, firstSequence, bodySize }
}

/** kafkajs's partition entry and RecordBatch v0, uncompressed, written in place with its CRC filled in after. */
const writePartition = (
  kafkajs: Kafkajs,
  encoder: Encoder,
  plan: PartitionPlan,
  batch: { readonly transactional: boolean; readonly producerId: unknown; readonly producerEpoch: number },
) => {
  encoder
    .writeInt32(plan.partition)
    .writeInt32(recordBatchSize(plan))
    .writeInt64(kafkajs.Long.fromInt(0))
    .writeInt32(BATCH_PREFIX + plan.bodySize)
    .writeInt32(0)
    .writeInt8(MAGIC_BYTE)
  const crcAt = encoder.offset
  encoder.writeInt32(0)
  const bodyStart = encoder.offset
  encoder
    .writeInt16(kafkajs.none | (batch.transactional ? TRANSACTIONAL_ATTRIBUTE : 0))
    .writeInt32(plan.records.length - 1)
    .writeInt64(plan.firstTimestamp)
    .writeInt64(plan.maxTimestamp)
    .writeInt64(batch.producerId)
    .writeInt16(batch.producerEpoch)
    .writeInt32(plan.firstSequence)
    .writeInt32(plan.records.length)
  for (const record of plan.records) writeRecord(encoder, record)
  encoder.buf.writeUInt32BE(kafkajs.crc32C(encoder.buf.subarray(bodyStart, encoder.offset)), crcAt)
}

/**
 * kafkajs's produce request v3 payload, uncompressed, sized first and written once into one buffer with room in
 * front for the request's header. kafkajs's writes each record into a buffer of its own, the records into the
 * batch's body, that into the batch, the batch into its partition, the partitions into their topic and the
 * topics into the request, each a copy of the page in an encoder grown by doubling (more copies).
 */
const encodeProduce = (
  kafkajs: Kafkajs,
  {
    acks,
    timeout,
    transactionalId = null,
    producerId = kafkajs.Long.fromInt(-1),
    producerEpoch = 0,
    topicData,
  }: ProduceArgs,
): Encoder => {
  let size = sizeOfString(transactionalId) + 2 + 4 + 4
  const topics = topicData.map(({ topic, partitions }) => {
    size += sizeOfString(topic) + 4
    const plans = partitions.map((partition) => {
      const plan = planPartition(kafkajs.Encoder, partition)
      size += 4 + 4 + recordBatchSize(plan)
      return plan
    })
    return { topic, plans }
  })
  const whole = Buffer.allocUnsafe(HEADROOM + size + TAILROOM)
  const view = whole.subarray(HEADROOM)
  const encoder = new kafkajs.Encoder(0)
  encoder.buf = view
  encoder.writeString(transactionalId).writeInt16(acks).writeInt32(timeout).writeInt32(topics.length)
  const batch = { transactional: !!transactionalId, producerId, producerEpoch }
  for (const { topic, plans } of topics) {
    encoder.writeString(topic).writeInt32(plans.length)
    for (const plan of plans) writePartition(kafkajs, encoder, plan, batch)
  }
  // The buffer is unzeroed: a byte left unwritten would go to the broker as whatever memory held.
  if (encoder.offset !== size || encoder.buf !== view)
    throw new Error(`kafkajs produce request: ${encoder.offset} bytes written of ${size} planned`)
  rooms.set(encoder, { whole, start: HEADROOM, view })
  return encoder
}

/**
 * kafkajs's produce request v3 module with its payload written once (`encodeProduce`) when uncompressed; a
 * compressed batch is kafkajs's own.
 */
export const tunedProduceRequest = (kafkajs: Kafkajs, kafkajsRequest: ProduceRequestModule) =>
  function tunedProduce(args: ProduceArgs): ProduceRequest {
    const request = kafkajsRequest(args)
    if ((args.compression ?? kafkajs.none) === kafkajs.none)
      request.encode = async () => encodeProduce(kafkajs, args)
    return request
  }
