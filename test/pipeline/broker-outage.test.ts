import { execFile } from "node:child_process"
import { resolve } from "node:path"
import { promisify } from "node:util"
import { Context, Effect, Fiber, Layer } from "effect"
import { describe, expect, inject, it } from "vitest"
import { appLayers } from "../../src/cli/runConnector.ts"
import { parseConfig } from "../../src/config/loadConfig.ts"
import { runPipeline } from "../../src/pipeline/Pipeline.ts"
import { StreamHealth } from "../../src/pipeline/StreamHealth.ts"
import { startOktaSimulator } from "../../src/providers/okta/OktaSimulator.ts"
import { pipelineConfigYaml } from "../support/pipelineConfig.ts"
import { activityIds, kafkaFor, readTopic, uniqueTopics } from "../support/topics.ts"

const run = promisify(execFile)
const script = resolve(import.meta.dirname, "../../scripts/kafka-local")
const brokers = inject("kafkaBrokers")
const localBroker = inject("kafkaMode") === "local"
const brokerEnv = { ...process.env, ...inject("kafkaLocalEnv") }

// Stopping the broker needs the broker this harness started; an external cluster or a container is left alone.
describe.runIf(localBroker)("broker outage", () => {
  it("the broker stopped for 10 s mid-stream: the pipeline recovers by itself, nothing lost or duplicated", async () => {
    const topics = uniqueTopics()
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startOktaSimulator({ historySize: 600, seed: 3, rateLimit: 1_000_000 })
          const loaded = yield* parseConfig(
            "test",
            pipelineConfigYaml({
              brokers,
              topics,
              simulators: [simulator],
              pollInterval: "100ms",
              pageSize: 10,
            }),
          )
          // Built once, so the test reads the same StreamHealth the pipeline writes.
          const context = yield* Layer.build(appLayers(loaded, [brokers]))
          const health = Context.get(context, StreamHealth)
          const pipeline = yield* runPipeline({ minBackoff: "200 millis", maxBackoff: "2 seconds" }).pipe(
            Effect.provide(context),
            Effect.forkScoped,
          )
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
