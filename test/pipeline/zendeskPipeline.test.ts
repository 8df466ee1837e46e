import { Effect, Fiber } from "effect"
import { describe, expect, inject, it } from "vitest"
import { startZendeskSimulator } from "../../src/simulators/zendesk/ZendeskSimulator.ts"
import { connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { activityIds, readTopic } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")
/** The stream's settle window: records are read once they are this old. */
const SETTLE_MS = 30_000

const second = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")

describe("pipeline: Zendesk simulator → Kafka", () => {
  it("audit logs exactly once; records sharing the boundary second come once, after the settle window", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startZendeskSimulator({
            historySize: 60,
            seed: 3,
            requestsPerMinute: 100_000,
          })
          const { topics, context } = yield* connectorUnderTest({ simulators: [simulator], pageSize: 25 })
          const pipeline = yield* startPipeline(context)
          const idsOf = (records: ReadonlyArray<Readonly<Record<string, unknown>>>) =>
            records.map((r) => String(r.id)).sort()
          const settled = () =>
            simulator.auditLogs().filter((r) => Date.parse(String(r.created_at)) < Date.now() - SETTLE_MS)
          const history = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= settled().length),
          )
          expect(new Set(activityIds(history)).size).toBe(history.length)
          const times = history.map((m) => Number(m.timestamp))
          expect(times.every((t, i) => i === 0 || (times[i - 1] ?? 0) <= t)).toBe(true)

          // Four records of one second, published now: they flow once the settle window has passed.
          const at = Date.now()
          for (let n = 0; n < 4; n++) {
            const id = 77_000_000_000 + n
            simulator.inject(
              {
                id,
                action: "login",
                actor_id: 1234,
                source_id: 1234,
                source_type: "user",
                ip_address: "203.0.113.9",
                created_at: second(at),
              },
              at,
            )
          }
          const total = simulator.auditLogs().length
          const live = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= total, 90_000),
          )
          expect(new Set(activityIds(live)).size).toBe(total)
          expect([...activityIds(live)].sort()).toEqual(idsOf(simulator.auditLogs()))

          const checkpoints = yield* Effect.promise(() =>
            readTopic(brokers, topics.checkpoints, (m) => m.length >= 1),
          )
          const latest = JSON.parse(checkpoints.at(-1)?.value ?? "{}")
          // One stream: the bare watermark, as single-stream integrations store it.
          expect(JSON.stringify(latest)).toContain('"since"')
          yield* Effect.sleep("2 seconds")
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
