import { Effect, Fiber } from "effect"
import { describe, expect, inject, it } from "vitest"
import { startAsanaSimulator } from "../../src/simulators/asana/AsanaSimulator.ts"
import { connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { activityIds, readTopic } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")

const gidsOf = (events: ReadonlyArray<unknown>) => events.map((e) => (e as { gid: string }).gid).sort()

describe("pipeline: Asana simulator → Kafka", () => {
  it("the audit log exactly once: history, a burst at one instant, an event captured late, and across an expired offset", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startAsanaSimulator({ historySize: 60, seed: 5 })
          const { topics, context } = yield* connectorUnderTest({ simulators: [simulator], pageSize: 25 })
          const pipeline = yield* startPipeline(context)
          const history = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 60),
          )
          expect([...activityIds(history)].sort()).toEqual(gidsOf(simulator.events()))

          // Four events at one instant, one created an hour ago but captured only now.
          simulator.emit(4)
          const [template] = simulator.events().slice(-1)
          simulator.inject({
            ...(template as object),
            gid: "1299000000000077",
            created_at: new Date(Date.now() - 3_600_000).toISOString(),
          })
          const live = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 65, 60_000),
          )
          expect([...activityIds(live)].sort()).toEqual(gidsOf(simulator.events()))

          // The stored offset expires: the stream restarts from the latest created_at, without repeats.
          simulator.expireOffsets()
          simulator.emit(3)
          const total = simulator.events().length
          const after = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= total, 60_000),
          )
          expect(simulator.requests().some((r) => r.status === 400)).toBe(true)
          expect(new Set(activityIds(after)).size).toBe(total)
          expect([...activityIds(after)].sort()).toEqual(gidsOf(simulator.events()))

          const checkpoints = yield* Effect.promise(() =>
            readTopic(brokers, topics.checkpoints, (m) => m.length >= 1),
          )
          // One stream: the bare position, Asana's offset (the cursor) beside the latest created_at.
          const latest = checkpoints.at(-1)?.value ?? "{}"
          expect(latest).toContain('"token"')
          expect(latest).toContain('"since"')
          yield* Effect.sleep("2 seconds")
          const settled = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= total),
          )
          expect(settled).toHaveLength(total)
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 180_000)
})
