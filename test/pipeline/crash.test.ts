import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, inject, it } from "vitest"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { exited, sleep, startConnector } from "../support/connectorProcess.ts"
import { pipelineConfigYaml } from "../support/pipelineConfig.ts"
import { activityIds, kafkaFor, readTopic, uniqueTopics } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")

describe("crash safety: the connector process killed with SIGKILL while streaming", () => {
  it("after 21 kills at random moments and restarts, every simulated activity is in the topic exactly once, and its OCSF event in the OCSF topic", async () => {
    const topics = uniqueTopics()
    const dir = mkdtempSync(join(tmpdir(), "crash-test-"))
    const configFile = join(dir, "connector.yaml")
    const stderr: string[] = []

    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startOktaSimulator({ historySize: 1_000, seed: 5, rateLimit: 1_000_000 })
          writeFileSync(
            configFile,
            pipelineConfigYaml({
              brokers,
              topics,
              simulators: [simulator],
              accountIds: [randomUUID()],
              pollInterval: "100ms",
              pageSize: 10,
              // A restarted instance takes the shard on once the group has expelled the killed one: after
              // its session timeout, here the broker's minimum.
              kafka: { group_session_timeout: "6s", ocsf: { enabled: true } },
            }),
          )
          const admin = kafkaFor(brokers).admin()
          yield* Effect.promise(() => admin.connect())
          const stableEnd = async () => {
            const offsets = await admin.fetchTopicOffsets(topics.activities).catch(() => [])
            return offsets.reduce((sum, o) => sum + Number(o.high), 0)
          }

          // New activity keeps arriving at the provider throughout.
          const emitter = setInterval(() => simulator.emit(2), 100)
          let killsWhileProgressing = 0
          let previousEnd = 0
          for (let round = 0; round < 21; round++) {
            const child = startConnector(configFile, stderr)
            // Kill at a random moment once this run is publishing (start-up time varies with the machine's
            // load), so the kills land mid-stream rather than during start-up.
            const publishing = yield* Effect.promise(async () => {
              for (let waited = 0; waited < 30_000; waited += 100) {
                const end = await stableEnd()
                if (end > previousEnd) return end
                await sleep(100)
              }
              return previousEnd
            })
            yield* Effect.promise(() => sleep(Math.random() * 2_500))
            child.kill("SIGKILL")
            yield* Effect.promise(() => exited(child))
            const end = yield* Effect.promise(stableEnd)
            if (end > publishing) killsWhileProgressing++
            previousEnd = end
          }
          clearInterval(emitter)

          // One last run catches up with everything, then stops gracefully on SIGTERM.
          const expected = (simulator.events() as Array<{ uuid: string }>).map((e) => e.uuid)
          const last = startConnector(configFile, stderr)
          const [published = [], ocsf = []] = yield* Effect.promise(() =>
            Promise.all(
              [topics.activities, topics.ocsf].map((topic) =>
                readTopic(brokers, topic, (m) => m.length >= expected.length, 120_000, 3_000),
              ),
            ),
          )
          last.kill("SIGTERM")
          const code = yield* Effect.promise(() => exited(last))
          yield* Effect.promise(() => admin.disconnect())

          const ids = activityIds(published)
          expect(new Set(ids).size).toBe(ids.length)
          expect(ids).toEqual(expected)
          // Written in the same transactions: each activity's OCSF event exactly once too, in the same order.
          const ocsfIds = ocsf.map(
            (m) => (JSON.parse(m.value ?? "{}") as { metadata: { uid: string } }).metadata.uid,
          )
          expect(ocsfIds).toEqual(expected)
          // The kills really landed mid-stream: after them the topic held more than when the run was seen publishing.
          expect(killsWhileProgressing).toBeGreaterThanOrEqual(10)
          expect(code).toBe(0)
        }),
      ),
    ).catch((error) => {
      throw new Error(`${String(error)}\nconnector stderr (tail):\n${stderr.join("").slice(-3000)}`)
    })
    rmSync(dir, { recursive: true, force: true })
  }, 900_000)
})
