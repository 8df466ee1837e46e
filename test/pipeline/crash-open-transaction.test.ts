import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect } from "effect"
import { describe, expect, inject, it } from "vitest"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { exited, sleep, startConnector } from "../support/connectorProcess.ts"
import { pipelineConfigYaml } from "../support/pipelineConfig.ts"
import { kafkaFor, readTopic, uniqueTopics } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")

/**
 * Account B, streamed by another instance: every transaction publishes a few activities and B's checkpoint,
 * and stays open for most of its life, so the shared checkpoint partition's last stable offset is nearly
 * always held back by it.
 */
const otherInstance = (topics: ReturnType<typeof uniqueTopics>, accountId: string) => {
  const producer = kafkaFor(brokers).producer({
    transactionalId: `test-other-instance-${randomUUID()}`,
    idempotent: true,
    maxInFlightRequests: 1,
  })
  const committed: string[] = []
  let running = true
  const done = (async () => {
    await producer.connect()
    for (let round = 0; running; round++) {
      const transaction = await producer.transaction()
      const ids = Array.from({ length: 3 }, (_, i) => `b-${round}-${i}`)
      await transaction.send({
        topic: topics.activities,
        messages: ids.map((id) => ({ key: accountId, value: JSON.stringify({ id }) })),
      })
      await transaction.send({
        topic: topics.checkpoints,
        messages: [{ key: accountId, value: JSON.stringify({ round }) }],
      })
      await sleep(1_500)
      await transaction.commit()
      committed.push(...ids)
      await sleep(100)
    }
    await producer.disconnect()
  })()
  return {
    committed,
    stop: async () => {
      running = false
      await done
    },
  }
}

describe("crash safety with another instance's transactions open on the same checkpoint partition", () => {
  it("SIGKILLed 8 times while account B's transactions hold the checkpoint partition: nothing lost or duplicated for A or B", async () => {
    const topics = uniqueTopics()
    const dir = mkdtempSync(join(tmpdir(), "crash-open-tx-"))
    const configFile = join(dir, "connector.yaml")
    const stderr: string[] = []
    const accountA = randomUUID()
    const accountB = randomUUID()

    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startOktaSimulator({ historySize: 400, seed: 51, rateLimit: 1_000_000 })
          writeFileSync(
            configFile,
            pipelineConfigYaml({
              brokers,
              topics,
              simulators: [simulator],
              accountIds: [accountA],
              pollInterval: "100ms",
              pageSize: 10,
            }),
          )
          // The first run creates the topics; account B starts writing once they exist.
          const first = startConnector(configFile, stderr)
          yield* Effect.promise(() => readTopic(brokers, topics.activities, (m) => m.length >= 10, 60_000, 0))
          const other = otherInstance(topics, accountB)
          const emitter = setInterval(() => simulator.emit(2), 100)
          yield* Effect.promise(() => sleep(2_000))
          first.kill("SIGKILL")
          yield* Effect.promise(() => exited(first))

          for (let round = 0; round < 8; round++) {
            const child = startConnector(configFile, stderr)
            yield* Effect.promise(() => sleep(2_500 + Math.random() * 3_000))
            child.kill("SIGKILL")
            yield* Effect.promise(() => exited(child))
          }
          clearInterval(emitter)
          yield* Effect.promise(() => other.stop())

          const expectedA = (simulator.events() as Array<{ uuid: string }>).map((e) => e.uuid)
          const last = startConnector(configFile, stderr)
          const published = yield* Effect.promise(() =>
            readTopic(
              brokers,
              topics.activities,
              (m) => m.filter((r) => r.key === accountA).length >= expectedA.length,
              120_000,
              3_000,
            ),
          )
          last.kill("SIGTERM")
          const code = yield* Effect.promise(() => exited(last))

          const idsOf = (key: string) =>
            published
              .filter((m) => m.key === key)
              .map((m) => (JSON.parse(m.value ?? "{}") as { id: string }).id)
          expect(idsOf(accountA)).toEqual(expectedA)
          expect(other.committed.length).toBeGreaterThan(0)
          expect(idsOf(accountB)).toEqual(other.committed)
          expect(code).toBe(0)
        }),
      ),
    ).catch((error) => {
      throw new Error(`${String(error)}\nconnector stderr (tail):\n${stderr.join("").slice(-3000)}`)
    })
    rmSync(dir, { recursive: true, force: true })
  }, 300_000)
})
