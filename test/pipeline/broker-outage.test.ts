import { execFile } from "node:child_process"
import { resolve } from "node:path"
import { promisify } from "node:util"
import { Effect, Fiber } from "effect"
import { describe, expect, inject, it } from "vitest"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { activityIds, kafkaFor, readTopic } from "../support/topics.ts"

const run = promisify(execFile)
const script = resolve(import.meta.dirname, "../../scripts/kafka-local")
const brokers = inject("kafkaBrokers")
const localBroker = inject("kafkaMode") === "local"
const brokerEnv = { ...process.env, ...inject("kafkaLocalEnv") }

// Stopping the broker needs the broker this harness started; an external cluster or a container is left alone.
describe.runIf(localBroker)("broker outage", () => {
  it("the broker stopped for 10 s mid-stream: the pipeline recovers by itself, nothing lost or duplicated", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startOktaSimulator({ historySize: 600, seed: 3, rateLimit: 1_000_000 })
          // The health read below is the StreamHealth the pipeline writes: the connector's services are built once.
          const { topics, context, health } = yield* connectorUnderTest({
            simulators: [simulator],
            pollInterval: "100ms",
            pageSize: 10,
          })
          const pipeline = yield* startPipeline(context, {
            minBackoff: "200 millis",
            maxBackoff: "2 seconds",
          })
          const emitter = setInterval(() => simulator.emit(2), 100)

          // Mid-stream: part of the history is in, the rest is still to come.
          const admin = kafkaFor(brokers).admin()
          yield* Effect.promise(async () => {
            await admin.connect()
            for (;;) {
              const offsets = await admin.fetchTopicOffsets(topics.activities).catch(() => [])
              if (offsets.some((o) => Number(o.high) > 100)) break
              await new Promise((r) => setTimeout(r, 100))
            }
            await admin.disconnect()
          })
          yield* Effect.promise(() => run("bash", [script, "stop"], { env: brokerEnv }))
          yield* Effect.sleep("10 seconds")
          // While the broker is down the stream reports itself as retrying.
          const during = yield* health.snapshot
          yield* Effect.promise(() =>
            run("bash", [script, "start"], { env: { ...brokerEnv, KAFKA_KEEP_DATA: "1" }, timeout: 120_000 }),
          )
          clearInterval(emitter)

          const expected = (simulator.events() as Array<{ uuid: string }>).map((e) => e.uuid)
          const published = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= expected.length, 120_000, 3_000),
          )
          expect(activityIds(published)).toEqual(expected)
          expect(during.map((a) => a.state)).toContain("retrying")
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 240_000)
})
