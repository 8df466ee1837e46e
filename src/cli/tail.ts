/**
 * Prints what is in a topic, read_committed, from the beginning: `npm run tail -- [--topic T] [--brokers B]
 * [--seconds N]`. For looking at what the connector publishes without Kafka's own console tools.
 */
import { randomUUID } from "node:crypto"
import { parseArgs } from "node:util"
import { Kafka, logLevel } from "kafkajs"

const { values } = parseArgs({
  options: {
    topic: { type: "string", default: "user-directory.activities" },
    brokers: { type: "string", default: process.env.KAFKA_BROKERS ?? "127.0.0.1:9092" },
    seconds: { type: "string" },
  },
})

const kafka = new Kafka({
  clientId: "siem-connector-tail",
  brokers: values.brokers.split(","),
  logLevel: logLevel.NOTHING,
})
const consumer = kafka.consumer({ groupId: `tail-${randomUUID()}` })
await consumer.connect()
await consumer.subscribe({ topic: values.topic, fromBeginning: true })
await consumer.run({
  eachMessage: async ({ message, partition }) => {
    console.log(
      JSON.stringify({
        partition,
        offset: message.offset,
        key: message.key?.toString(),
        value: message.value?.toString(),
      }),
    )
  },
})
const stop = async () => {
  await consumer.disconnect()
  process.exit(0)
}
process.on("SIGINT", stop)
process.on("SIGTERM", stop)
if (values.seconds) setTimeout(stop, Number(values.seconds) * 1000)
