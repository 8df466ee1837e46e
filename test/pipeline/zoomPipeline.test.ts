import { Duration, Effect, Either, Fiber } from "effect"
import { describe, expect, inject, it } from "vitest"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { zoom } from "../../src/providers/zoom/index.ts"
import { REPORT_SETTLE } from "../../src/providers/zoom/streams/reports.ts"
import { startZoomSimulator, type ZoomSimulatorHandle } from "../../src/simulators/zoom/ZoomSimulator.ts"
import { emitAt, emitOperations } from "../providers/zoom/zoomTestKit.ts"
import { connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { activityIds, readTopic } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")

/** Every row's synthetic id, both reports, oldest first (ids do not depend on the account). */
const expectedIds = (sim: ZoomSimulatorHandle) => {
  const account = { id: "any" } as IntegratedAccount
  const [activities, operations] = zoom.streams
  return [
    ...sim.activityLogs().map((row) => Either.getOrThrow(activities.toActivity(row as never, account))),
    ...sim.operationLogs().map((row) => Either.getOrThrow(operations.toActivity(row as never, account))),
  ]
    .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))
    .map((activity) => activity.id)
}

describe("pipeline: Zoom simulator → Kafka", () => {
  it("both report streams, interleaved by time, exactly once; rows sharing the boundary second come once", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          // History and new rows alike older than the settle window: published without waiting it out.
          const settleMs = Duration.toMillis(REPORT_SETTLE)
          const simulator = yield* startZoomSimulator({
            historySize: 90,
            seed: 3,
            requestsPerSecond: 1_000,
            historyEndsAgoMs: settleMs + 60_000,
          })
          const { topics, context } = yield* connectorUnderTest({ simulators: [simulator], pageSize: 25 })
          const pipeline = yield* startPipeline(context)
          const total = expectedIds(simulator).length
          const history = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= total),
          )
          const published = activityIds(history)
          expect(new Set(published).size).toBe(published.length)
          expect([...published].sort()).toEqual([...expectedIds(simulator)].sort())
          const times = history.map((m) => Number(m.timestamp))
          expect(times.every((t, i) => i === 0 || (times[i - 1] ?? 0) <= t)).toBe(true)

          const at = Date.now() - settleMs - 1_000
          emitAt(simulator, 4, at)
          emitOperations(simulator, 2, at)
          const live = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= total + 6),
          )
          expect(new Set(activityIds(live)).size).toBe(total + 6)
          expect([...activityIds(live)].sort()).toEqual([...expectedIds(simulator)].sort())

          const checkpoints = yield* Effect.promise(() =>
            readTopic(brokers, topics.checkpoints, (m) => m.length >= 1),
          )
          const latest = JSON.parse(checkpoints.at(-1)?.value ?? "{}")
          expect(latest.version).toBe(2)
          expect(Object.keys(latest.positions).sort()).toEqual(["activities", "operation_logs"])
          expect(latest.positions.activities).toMatchObject({
            since: expect.any(String),
            seen: expect.any(Array),
          })
          yield* Effect.sleep("1 second")
          const settled = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= total + 6),
          )
          expect(settled).toHaveLength(total + 6)
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 120_000)
})
