import { Effect, Fiber } from "effect"
import { describe, expect, inject, it } from "vitest"
import { idChecksum } from "../../src/providers/salesforce/soql.ts"
import { startSalesforceSimulator } from "../../src/simulators/salesforce/SalesforceSimulator.ts"
import { connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { activityIds, readTopic } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")
/** The stream's settle window: records are read once they are this old. */
const SETTLE_MS = 30_000

const sfTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace("Z", "+0000")
const rowTime = (row: Readonly<Record<string, unknown>>) =>
  Date.parse(String(row.LoginTime ?? row.CreatedDate).replace(/\+0000$/, "Z"))

describe("pipeline: Salesforce simulator → Kafka", () => {
  it("LoginHistory and SetupAuditTrail exactly once, interleaved by time; records sharing the boundary second come once, after the settle window", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startSalesforceSimulator({
            historySize: 60,
            seed: 3,
            dailyApiRequests: 100_000,
          })
          const { topics, context } = yield* connectorUnderTest({ simulators: [simulator], pageSize: 25 })
          const pipeline = yield* startPipeline(context)
          const idsOf = (records: ReadonlyArray<Readonly<Record<string, unknown>>>) =>
            records.map((r) => String(r.Id)).sort()
          const all = () => [...simulator.loginHistory(), ...simulator.setupAuditTrail()]
          const settled = () => all().filter((r) => rowTime(r) < Date.now() - SETTLE_MS)
          const history = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= settled().length),
          )
          expect(new Set(activityIds(history)).size).toBe(history.length)
          const times = history.map((m) => Number(m.timestamp))
          expect(times.every((t, i) => i === 0 || (times[i - 1] ?? 0) <= t)).toBe(true)

          // Four logins of one second (two failed), made now: they flow once the settle window has passed.
          const at = Date.now()
          for (let n = 0; n < 4; n++) {
            const base = `0Ya5e00000P${String(n).padStart(4, "0")}`
            const id = `${base}${idChecksum(base)}`
            simulator.inject(
              "LoginHistory",
              {
                attributes: { type: "LoginHistory", url: `/services/data/v62.0/sobjects/LoginHistory/${id}` },
                Id: id,
                UserId: simulator.users[0]?.id,
                LoginTime: sfTime(at),
                LoginType: "Application",
                SourceIp: "203.0.113.9",
                Status: n % 2 === 0 ? "Success" : "Invalid Password",
              },
              at,
            )
          }
          const total = all().length
          const live = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= total, 90_000),
          )
          expect(new Set(activityIds(live)).size).toBe(total)
          expect([...activityIds(live)].sort()).toEqual(idsOf(all()))

          const checkpoints = yield* Effect.promise(() =>
            readTopic(brokers, topics.checkpoints, (m) => m.length >= 1),
          )
          const latest = JSON.parse(checkpoints.at(-1)?.value ?? "{}")
          expect(latest.version).toBe(2)
          expect(Object.keys(latest.positions).sort()).toEqual(["login_history", "setup_audit_trail"])
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
