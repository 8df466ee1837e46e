import { Effect, Fiber } from "effect"
import { describe, expect, inject, it } from "vitest"
import { startAtlassianSimulator } from "../../src/simulators/atlassian/AtlassianSimulator.ts"
import { startGitHubSimulator } from "../../src/simulators/github/GitHubSimulator.ts"
import { connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { activityIds, readTopic } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")
const MINUTE = 60_000
/** GitHub's stream reads events once they are this old (GitHub backfills its audit log late). */
const GITHUB_SETTLE_MS = 5 * MINUTE

describe("pipeline: GitHub and Atlassian simulators → Kafka", () => {
  it("both organizations' histories exactly once, each account in its provider's order, through the real broker", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const github = yield* startGitHubSimulator({
            seed: 71,
            historySize: 60,
            historySpanMs: 6 * 60 * MINUTE,
            queriesPerHour: 1_000_000,
          })
          const atlassian = yield* startAtlassianSimulator({ seed: 72, historySize: 50 })
          const { topics, context, accountIds } = yield* connectorUnderTest({
            simulators: [github, atlassian],
            pageSize: 20,
          })
          const [githubAccount, atlassianAccount] = accountIds
          const githubTime = (e: unknown) => (e as { "@timestamp": number })["@timestamp"]
          const githubId = (e: unknown) => (e as { _document_id: string })._document_id
          const settledGitHub = github
            .events()
            .filter((e) => githubTime(e) < Date.now() - GITHUB_SETTLE_MS)
            .sort((a, b) => githubTime(a) - githubTime(b) || (githubId(a) < githubId(b) ? -1 : 1))
            .map(githubId)
          const atlassianIds = atlassian.events().map((e) => (e as { id: string }).id)

          const pipeline = yield* startPipeline(context)
          const published = yield* Effect.promise(() =>
            readTopic(
              brokers,
              topics.activities,
              (m) => m.length >= settledGitHub.length + atlassianIds.length,
              90_000,
              3_000,
            ),
          )
          expect(activityIds(published.filter((m) => m.key === githubAccount))).toEqual(settledGitHub)
          expect(activityIds(published.filter((m) => m.key === atlassianAccount))).toEqual(atlassianIds)
          expect(published).toHaveLength(settledGitHub.length + atlassianIds.length)
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 150_000)
})
