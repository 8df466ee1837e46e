import { randomUUID } from "node:crypto"
import { Kafka, logLevel } from "kafkajs"
import { afterAll, describe, expect, inject, it } from "vitest"

// The broker contract the pipeline relies on, proven against the real broker: idempotent + transactional
// produce, consumer groups, and read_committed consumers that never see aborted records.
const kafka = new Kafka({
  clientId: "foundation-test",
  brokers: inject("kafkaBrokers").split(","),
  logLevel: logLevel.NOTHING,
})
const admin = kafka.admin()

afterAll(() => admin.disconnect())

const readAll = async (topic: string, expected: number, readUncommitted = false) => {
  const consumer = kafka.consumer({ groupId: `test-${randomUUID()}`, readUncommitted })
  await consumer.connect()
  await consumer.subscribe({ topic, fromBeginning: true })
  const values: string[] = []
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => done(), 15_000)
    consumer
      .run({
        eachMessage: async ({ message }) => {
          values.push(message.value?.toString() ?? "")
          if (values.length >= expected) {
            clearTimeout(timer)
            // Give a straggler (one that should not exist) a moment to show up.
            setTimeout(done, 1_000)
          }
        },
      })
      .catch(fail)
  })
  await consumer.disconnect()
  return values
}

describe("Kafka broker contract", () => {
  it("a transactional producer's aborted records are invisible to read_committed, committed ones arrive", async () => {
    const topic = `tx-${randomUUID()}`
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })

    const producer = kafka.producer({
      transactionalId: `tx-test-${randomUUID()}`,
      idempotent: true,
      maxInFlightRequests: 1,
    })
    await producer.connect()

    const aborted = await producer.transaction()
    await aborted.send({
      topic,
      messages: [
        { key: "k", value: "aborted-1" },
        { key: "k", value: "aborted-2" },
      ],
    })
    await aborted.abort()

    const committed = await producer.transaction()
    await committed.send({
      topic,
      messages: [
        { key: "k", value: "committed-1" },
        { key: "k", value: "committed-2" },
      ],
    })
    await committed.commit()
    await producer.disconnect()

    expect(await readAll(topic, 2)).toEqual(["committed-1", "committed-2"])
    // The aborted records really were written: a read_uncommitted reader sees all four.
    expect(await readAll(topic, 4, true)).toEqual(["aborted-1", "aborted-2", "committed-1", "committed-2"])
  })

  it("an idempotent producer and a consumer group round-trip keyed records in order", async () => {
    const topic = `idem-${randomUUID()}`
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true })
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 })
    await producer.connect()
    const sent = Array.from({ length: 30 }, (_, i) => ({ key: `account-${i % 3}`, value: String(i) }))
    await producer.send({ topic, messages: sent })
    await producer.disconnect()

    const received = await readAll(topic, 30)
    expect(received.map(Number).sort((a, b) => a - b)).toEqual(sent.map((m) => Number(m.value)))
    // Per key, order is kept (one key always lands on one partition).
    for (const key of ["account-0", "account-1", "account-2"]) {
      const expected = sent.filter((m) => m.key === key).map((m) => m.value)
      expect(received.filter((v) => expected.includes(v))).toEqual(expected)
    }
  })
})
