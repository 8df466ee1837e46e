import type { OutgoingMessage } from "./ActivityMessages.ts"

type Message = OutgoingMessage["message"]

/** Per-record framing in a Kafka record batch (length, attributes, deltas, header counts), rounded up. */
const recordFraming = 64

const byteLength = (value: unknown): number =>
  value === null || value === undefined
    ? 0
    : Buffer.isBuffer(value)
      ? value.length
      : Buffer.byteLength(String(value))

export const approximateRecordBytes = (message: Message): number => {
  let bytes = recordFraming + byteLength(message.key) + byteLength(message.value)
  // A loop over the keys rather than Object.entries: an array of pairs per record was 2 % of the e2e profile.
  const headers = message.headers
  if (headers !== undefined)
    for (const key of Object.keys(headers)) bytes += Buffer.byteLength(key) + byteLength(headers[key])
  return bytes
}

export interface ProduceBatch {
  readonly topic: string
  readonly messages: ReadonlyArray<Message>
}

/**
 * Splits a page's messages into produce calls the broker accepts. kafkajs puts one call's messages for a
 * partition into one record batch, and the broker's `message.max.bytes` limits that batch, not the record:
 * a page of many records must go out as several calls (all inside the same transaction). Each topic keeps
 * its records' order.
 */
export const produceBatches = (
  messages: ReadonlyArray<OutgoingMessage>,
  maxBatchBytes: number,
): ProduceBatch[] => {
  const perTopic = new Map<string, Message[]>()
  for (const { topic, message } of messages) {
    const list = perTopic.get(topic)
    if (list) list.push(message)
    else perTopic.set(topic, [message])
  }
  const batches: ProduceBatch[] = []
  for (const [topic, list] of perTopic) {
    let current: Message[] = []
    let bytes = 0
    for (const message of list) {
      const size = approximateRecordBytes(message)
      if (current.length > 0 && bytes + size > maxBatchBytes) {
        batches.push({ topic, messages: current })
        current = []
        bytes = 0
      }
      current.push(message)
      bytes += size
    }
    if (current.length > 0) batches.push({ topic, messages: current })
  }
  return batches
}

/**
 * Groups a page's batches into produce requests: the k-th request carries the k-th batch of each topic. kafkajs's
 * `sendBatch` merges entries of the same topic into one record batch per partition, which would undo the split
 * above; one batch per topic per request keeps every record batch under the limit, and each topic's batches go
 * out in order (request k+1 is sent once request k is acknowledged), so each partition keeps its records' order.
 * A page that fits one batch per topic — the usual case — is one request instead of one per topic.
 */
export const produceRequests = (batches: ReadonlyArray<ProduceBatch>): ProduceBatch[][] => {
  const requests: ProduceBatch[][] = []
  const seen = new Map<string, number>()
  for (const batch of batches) {
    const index = seen.get(batch.topic) ?? 0
    seen.set(batch.topic, index + 1)
    const request = requests[index]
    if (request) request.push(batch)
    else requests.push([batch])
  }
  return requests
}
