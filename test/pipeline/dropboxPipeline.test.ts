import { Effect, Fiber } from "effect"
import { describe, expect, inject, it } from "vitest"
import { teamEventId } from "../../src/providers/dropbox/DropboxTeamEvent.ts"
import { startDropboxSimulator } from "../../src/simulators/dropbox/DropboxSimulator.ts"
import { connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { activityIds, readTopic } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")

const second = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")

describe("pipeline: Dropbox simulator → Kafka", () => {
  it("team events exactly once: same-second and late events, and across a cursor reset", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startDropboxSimulator({ historySize: 60, seed: 3 })
          const { topics, context } = yield* connectorUnderTest({ simulators: [simulator], pageSize: 25 })
          const pipeline = yield* startPipeline(context)
          const expected = () => simulator.events().map(teamEventId).sort()
          const history = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 60),
          )
          expect(new Set(activityIds(history)).size).toBe(history.length)

          // Four events of one second and one published late with an hour-old timestamp.
          const at = Date.now()
          const member = simulator.members[2]
          const login = (n: number, when: number) =>
            simulator.inject(
              {
                timestamp: second(when),
                event_category: { ".tag": "logins" },
                event_type: { ".tag": "login_fail", description: "(logins) Failed to sign in" },
                actor: { ".tag": "user", user: { account_id: member?.account_id } },
                details: { ".tag": "login_fail_details", login_method: { ".tag": "password" }, n },
              },
              when,
            )
          for (let n = 0; n < 4; n++) login(n, at)
          login(4, at - 3_600_000)
          const live = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 65, 90_000),
          )
          expect([...activityIds(live)].sort()).toEqual(expected())

          // Dropbox resets every cursor: the next poll starts again from the latest second, repeating nothing.
          simulator.resetCursors()
          login(5, at)
          simulator.emit(3)
          const afterReset = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 69, 90_000),
          )
          expect([...activityIds(afterReset)].sort()).toEqual(expected())
          expect(simulator.requests().some((r) => r.status === 409)).toBe(true)

          const checkpoints = yield* Effect.promise(() =>
            readTopic(brokers, topics.checkpoints, (m) => m.length >= 1),
          )
          // One stream: the bare position, Dropbox's cursor with the latest second read.
          const latest = JSON.stringify(JSON.parse(checkpoints.at(-1)?.value ?? "{}"))
          expect(latest).toContain('"token"')
          expect(latest).toContain('"seen"')
          yield* Effect.sleep("2 seconds")
          const after = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 69),
          )
          expect(after).toHaveLength(69)
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 180_000)
})
