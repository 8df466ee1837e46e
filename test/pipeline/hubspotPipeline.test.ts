import { Effect, Fiber } from "effect"
import { describe, expect, inject, it } from "vitest"
import { startHubSpotSimulator } from "../../src/simulators/hubspot/HubSpotSimulator.ts"
import { connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { activityIds, readTopic } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")
/** The streams' settle window: records are read once they are this old. */
const SETTLE_MS = 30_000

const timeOf = (r: Readonly<Record<string, unknown>>) =>
  Date.parse(String(r.loginAt ?? r.createdAt ?? r.occurredAt))

describe("pipeline: HubSpot simulator → Kafka", () => {
  it("login history, security activity and the audit log exactly once; records sharing one instant come once, after the settle window", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startHubSpotSimulator({
            historySize: 80,
            seed: 5,
            requestsPerInterval: 100_000,
          })
          const { topics, context } = yield* connectorUnderTest({ simulators: [simulator], pageSize: 25 })
          const pipeline = yield* startPipeline(context)
          // An Enterprise portal: its settings turn the audit log on.
          expect(simulator.settings.audit_logs).toBe("true")
          const all = () => [
            ...simulator.logins(),
            ...simulator.securityActions(),
            ...simulator.auditEvents(),
          ]
          const keysOf = (records: ReadonlyArray<Readonly<Record<string, unknown>>>) =>
            records.map((r) => String(r.id)).sort()
          const settled = () => all().filter((r) => timeOf(r) < Date.now() - SETTLE_MS)
          const history = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= settled().length),
          )
          // The three lists number their ids apart (no collisions in the simulator's ranges).
          expect(new Set(activityIds(history)).size).toBe(history.length)

          // Three logins, two security actions and three audit events at one instant, now: once the settle window has passed.
          const at = Date.now()
          for (let n = 0; n < 3; n++) simulator.injectLogin({ loginSucceeded: n !== 1 }, at)
          for (let n = 0; n < 2; n++) simulator.injectSecurity({}, at)
          for (let n = 0; n < 3; n++) simulator.injectAudit({}, at)
          const total = all().length
          const live = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= total, 90_000),
          )
          expect(new Set(activityIds(live)).size).toBe(total)
          expect([...activityIds(live)].sort()).toEqual(keysOf(all()))

          const checkpoints = yield* Effect.promise(() =>
            readTopic(brokers, topics.checkpoints, (m) => m.length >= 1),
          )
          const latest = JSON.parse(checkpoints.at(-1)?.value ?? "{}")
          // Three streams: positions keyed by stream name.
          expect(latest.version).toBe(2)
          expect(Object.keys(latest.positions).sort()).toEqual([
            "audit_logs",
            "login_history",
            "security_activity",
          ])
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
