import { Effect, Fiber } from "effect"
import { describe, expect, inject, it } from "vitest"
import { syntheticId } from "../../src/providers/browserstack/recordId.ts"
import { startBrowserStackSimulator } from "../../src/simulators/browserstack/BrowserStackSimulator.ts"
import { connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { activityIds, readTopic } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")
/** The stream's settle window: entries are read once they are this old. */
const SETTLE_MS = 30_000

describe("pipeline: BrowserStack simulator → Kafka", () => {
  it("audit logs exactly once under the real budget (burst 5, 15 a minute); entries sharing one instant come once", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          // BrowserStack's own budget: the 15 s poll floor keeps the connector inside it.
          const simulator = yield* startBrowserStackSimulator({ historySize: 60, seed: 3 })
          const { topics, context } = yield* connectorUnderTest({ simulators: [simulator], pageSize: 25 })
          const pipeline = yield* startPipeline(context)
          const timeOf = (entry: unknown) => Date.parse(String((entry as { timestamp: string }).timestamp))
          const settled = () => simulator.events().filter((e) => timeOf(e) < Date.now() - SETTLE_MS)
          const history = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= settled().length),
          )
          expect(new Set(activityIds(history)).size).toBe(history.length)

          // Four entries of one instant, published now: they flow once the settle window has passed.
          const at = Date.now()
          for (let n = 0; n < 4; n++) {
            simulator.inject(
              [
                {
                  timestamp: new Date(at).toISOString(),
                  activity: "failed_to_sign_in",
                  category: "accounts",
                  description: "Failed to sign in",
                  actor: { email: `user${n}@acme.example` },
                  ip_address: "203.0.113.9",
                },
              ],
              at,
            )
          }
          const total = simulator.events().length
          const live = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= total, 120_000),
          )
          expect(new Set(activityIds(live)).size).toBe(total)
          expect([...activityIds(live)].sort()).toEqual(simulator.events().map(syntheticId).sort())
          expect(simulator.requests().every((r) => r.status === 200)).toBe(true)

          const checkpoints = yield* Effect.promise(() =>
            readTopic(brokers, topics.checkpoints, (m) => m.length >= 1),
          )
          expect(checkpoints.at(-1)?.value ?? "").toContain('"since"')
          yield* Effect.sleep("2 seconds")
          const after = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= total),
          )
          expect(after).toHaveLength(total)
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 240_000)
})
