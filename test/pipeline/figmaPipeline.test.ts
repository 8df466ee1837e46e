import { Effect, Fiber } from "effect"
import { describe, expect, inject, it } from "vitest"
import { startFigmaSimulator } from "../../src/simulators/figma/FigmaSimulator.ts"
import { connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { activityIds, readTopic } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")

describe("pipeline: Figma simulator → Kafka", () => {
  it("activity logs exactly once; events sharing a second and one logged late come once, by the stored cursor", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startFigmaSimulator({
            historySize: 60,
            seed: 3,
            requestsPerMinute: 100_000,
          })
          const { topics, context } = yield* connectorUnderTest({ simulators: [simulator], pageSize: 25 })
          const pipeline = yield* startPipeline(context)
          const ids = () => simulator.events().map((e) => (e as { id: string }).id)
          const history = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 60),
          )
          expect(new Set(activityIds(history)).size).toBe(history.length)
          expect([...activityIds(history)].sort()).toEqual([...ids()].sort())

          // Four events of one second, and one stamped an hour ago but logged only now.
          simulator.emit(4)
          const [template] = simulator.events().slice(-1)
          simulator.inject({
            ...(template as object),
            id: "9000000000000000077",
            timestamp: Math.floor(Date.now() / 1000) - 3600,
          })
          const total = simulator.events().length
          const live = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= total, 90_000),
          )
          expect(new Set(activityIds(live)).size).toBe(total)
          expect([...activityIds(live)].sort()).toEqual([...ids()].sort())

          const checkpoints = yield* Effect.promise(() =>
            readTopic(brokers, topics.checkpoints, (m) => m.length >= 1),
          )
          // One stream: the bare position, Figma's cursor with the latest second and the ids at it.
          const latest = JSON.parse(checkpoints.at(-1)?.value ?? "{}")
          expect(JSON.stringify(latest)).toContain('"token"')
          expect(JSON.stringify(latest)).toContain('"seen"')
          yield* Effect.sleep("7 seconds")
          const after = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= total),
          )
          expect(after).toHaveLength(total)
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 180_000)
})
