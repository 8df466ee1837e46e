import { randomUUID } from "node:crypto"
import { Effect } from "effect"
import { Kafka, logLevel } from "kafkajs"

export interface ReadMessage {
  readonly topic: string
  readonly partition: number
  readonly offset: string
  readonly key: string | undefined
  readonly value: string | undefined
  readonly timestamp: string
  readonly headers: Readonly<Record<string, string>>
}

export const kafkaFor = (brokers: string) =>
  new Kafka({ clientId: "test-reader", brokers: brokers.split(","), logLevel: logLevel.NOTHING })

/** An admin client of the test broker for the duration of `use`. */
export const withAdmin = <A>(
  brokers: string,
  use: (admin: ReturnType<ReturnType<typeof kafkaFor>["admin"]>) => Promise<A>,
) =>
  Effect.promise(async () => {
    const admin = kafkaFor(brokers).admin()
    await admin.connect()
    try {
      return await use(admin)
    } finally {
      await admin.disconnect()
    }
  })

/** A fresh set of topic names, so tests sharing one broker never see each other's records. */
export const uniqueTopics = () => {
  const prefix = `t-${randomUUID().slice(0, 8)}`
  return {
    activities: `${prefix}.activities`,
    login_failed: `${prefix}.activities.login_failed`,
    dead_letter: `${prefix}.activities.dead-letter`,
    checkpoints: `${prefix}.activities.checkpoints`,
    ocsf: `${prefix}.activities.ocsf`,
  }
}

/** The connector creates its topics at start; a reader that subscribes first must wait for them. */
const waitForTopic = async (kafka: Kafka, topic: string, timeoutMs: number) => {
  const admin = kafka.admin()
  await admin.connect()
  try {
    const deadline = Date.now() + timeoutMs
    while (!(await admin.listTopics()).includes(topic)) {
      if (Date.now() > deadline) throw new Error(`topic ${topic} was not created within ${timeoutMs}ms`)
      await new Promise((r) => setTimeout(r, 200))
    }
  } finally {
    await admin.disconnect()
  }
}

/**
 * Reads a topic from the beginning, read_committed, until `predicate` holds for what was read (then a short
 * grace period, so records that should not exist get the chance to show up) or the timeout passes.
 */
export const readTopic = async (
  brokers: string,
  topic: string,
  predicate: (messages: ReadonlyArray<ReadMessage>) => boolean,
  timeoutMs = 30_000,
  graceMs = 1_500,
): Promise<ReadMessage[]> => {
  const kafka = kafkaFor(brokers)
  await waitForTopic(kafka, topic, timeoutMs)
  const consumer = kafka.consumer({ groupId: `reader-${randomUUID()}`, readUncommitted: false })
  const messages: ReadMessage[] = []
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  let satisfied: () => void = () => undefined
  const done = new Promise<void>((resolve) => {
    satisfied = resolve
  })
  await consumer.run({
    eachMessage: async ({ topic, partition, message }) => {
      messages.push({
        topic,
        partition,
        offset: message.offset,
        key: message.key?.toString(),
        value: message.value?.toString(),
        timestamp: message.timestamp,
        headers: Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)])),
      })
      if (predicate(messages)) satisfied()
    },
  })
  const timer = setTimeout(satisfied, timeoutMs)
  if (predicate(messages)) satisfied()
  await done
  clearTimeout(timer)
  await new Promise((r) => setTimeout(r, graceMs))
  await consumer.disconnect()
  return messages
}

export const activityIds = (messages: ReadonlyArray<ReadMessage>) =>
  messages.map((m) => (JSON.parse(m.value ?? "{}") as { id: string }).id)

/** Plain (non-transactional) writes, as an operator or an older version would have made them. */
export const writeRecords = async (
  brokers: string,
  topic: string,
  messages: ReadonlyArray<{ key: string; value: string; partition?: number }>,
) => {
  const producer = kafkaFor(brokers).producer()
  await producer.connect()
  try {
    await producer.send({ topic, messages: messages.map((m) => ({ ...m })) })
  } finally {
    await producer.disconnect()
  }
}
