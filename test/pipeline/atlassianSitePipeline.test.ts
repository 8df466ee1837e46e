import { Effect, Either, Fiber, Schema } from "effect"
import { describe, expect, inject, it } from "vitest"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { confluence } from "../../src/providers/confluence/index.ts"
import { jira } from "../../src/providers/jira/index.ts"
import type { ProviderAdapter } from "../../src/providers/ProviderAdapter.ts"
import { startConfluenceSimulator } from "../../src/simulators/confluence/ConfluenceSimulator.ts"
import { startJiraSimulator } from "../../src/simulators/jira/JiraSimulator.ts"
import type { ProviderSimulator } from "../../src/simulators/ProviderSimulator.ts"
import { connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { activityIds, readTopic } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")

/** Every record's id (Jira's own, Confluence's synthetic), whichever account reads it. */
const idsOf = (adapter: ProviderAdapter, sim: ProviderSimulator) => {
  const [stream] = adapter.streams
  const account = { id: "any" } as IntegratedAccount
  return sim
    .events()
    .map((raw) => Either.getOrThrow(Schema.decodeUnknownEither(stream?.record as never)(raw)))
    .map((record) => Either.getOrThrow(stream?.toActivity(record, account) as never) as { id: string })
    .map((activity) => activity.id)
}

describe("pipeline: Jira and Confluence simulators → Kafka", () => {
  it("both sites' audit records exactly once, newest-first offsets read oldest first; records sharing the boundary millisecond come once", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const jiraSim = yield* startJiraSimulator({ seed: 3, historySize: 60 })
          const confluenceSim = yield* startConfluenceSimulator({ seed: 3, historySize: 60 })
          const { topics, context } = yield* connectorUnderTest({
            simulators: [jiraSim, confluenceSim],
            pageSize: 25,
          })
          const pipeline = yield* startPipeline(context)
          const expected = () => [...idsOf(jira, jiraSim), ...idsOf(confluence, confluenceSim)].sort()
          const total = expected().length
          const history = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= total),
          )
          const published = activityIds(history)
          expect(new Set(published).size).toBe(published.length)
          expect([...published].sort()).toEqual(expected())

          // Older than the 30-second settle window, so due now; several at one millisecond on each site.
          const at = Date.now() - 45_000
          const added = jiraSim.emitAt(3, at).length + confluenceSim.emitAt(3, at).length
          const live = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= total + added),
          )
          expect(new Set(activityIds(live)).size).toBe(total + added)
          expect([...activityIds(live)].sort()).toEqual(expected())

          const checkpoints = yield* Effect.promise(() =>
            readTopic(brokers, topics.checkpoints, (m) => m.length >= 1),
          )
          // One stream each: the bare watermark, as a version 1 checkpoint holds it.
          const latest = JSON.parse(checkpoints.at(-1)?.value ?? "{}")
          expect(latest.version).toBe(1)
          expect(latest.position).toMatchObject({ since: expect.any(String), seen: expect.any(Array) })
          yield* Effect.sleep("1 second")
          const settled = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= total + added),
          )
          expect(settled).toHaveLength(total + added)
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 120_000)
})
