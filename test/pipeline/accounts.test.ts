import { Effect, Fiber } from "effect"
import { describe, expect, inject, it } from "vitest"
import { listActivities } from "../../src/activities/ListActivities.ts"
import { bearerToken, credentialForms } from "../../src/auth/credentialForms.ts"
import { runBackfill } from "../../src/pipeline/Backfill.ts"
import type { Checkpoint } from "../../src/pipeline/Checkpoint.ts"
import { ensureTopics } from "../../src/pipeline/kafkajs/Topics.ts"
import { IntegrationRegistry } from "../../src/providers/IntegrationRegistry.ts"
import { pendingAdapter } from "../../src/providers/pendingAdapter.ts"
import { registry } from "../../src/providers/registry.ts"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { activityIds, kafkaFor, readTopic, writeRecords } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")
/** An integration declared (capabilities, credentials) but with no streams yet, registered for this test only. */
const unbuilt = pendingAdapter({
  integration: "unbuilt",
  capabilities: { filters: ["created_at"], requiredFilters: [] },
  credentials: credentialForms("UnbuiltCredentials", bearerToken()),
})
const withUnbuilt = IntegrationRegistry.extend(registry, { unbuilt })

const uuidsOf = (events: ReadonlyArray<unknown>) => (events as Array<{ uuid: string }>).map((e) => e.uuid)

describe("pipeline accounts", () => {
  it("an account with bad credentials retries on its own and never stops the others", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const broken = yield* startOktaSimulator({ historySize: 30, seed: 1, rateLimit: 100_000 })
          const healthy = yield* startOktaSimulator({ historySize: 80, seed: 2, rateLimit: 100_000 })
          const { topics, context, accountIds, health } = yield* connectorUnderTest({
            simulators: [{ ...broken, credentials: { api_token: "revoked-token" } }, healthy],
          })
          const [brokenId, healthyId] = accountIds
          const pipeline = yield* startPipeline(context, {
            minBackoff: "100 millis",
            maxBackoff: "500 millis",
          })
          const published = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 80),
          )
          expect(activityIds(published)).toEqual(uuidsOf(healthy.events()))
          expect(published.every((m) => m.key === healthyId)).toBe(true)

          const states = yield* health.snapshot
          const brokenState = states.find((s) => s.integrated_account_id === brokenId)
          expect(brokenState?.state).toBe("retrying")
          expect(brokenState?.consecutive_failures).toBeGreaterThanOrEqual(2)
          expect(brokenState?.last_error).toContain("401")
          expect(brokenState?.last_error).not.toContain("revoked-token")
          expect(states.find((s) => s.integrated_account_id === healthyId)?.state).toBe("caught_up")
          // The broken account kept trying: its provider saw repeated requests.
          expect(broken.requests().filter((r) => r.status === 401).length).toBeGreaterThanOrEqual(2)
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 90_000)

  it("an integration whose provider client is not built yet is marked stopped, not retried, and the others stream", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const healthy = yield* startOktaSimulator({ historySize: 20, seed: 6, rateLimit: 100_000 })
          // Nothing listens at this address: a pending integration must never be called.
          const pending = {
            ...healthy,
            integration: "unbuilt" as const,
            baseUrl: "http://127.0.0.1:9",
            credentials: { access_token: "unbuilt-token" },
          }
          const { topics, context, accountIds, health } = yield* connectorUnderTest({
            simulators: [pending, healthy],
            registry: withUnbuilt,
          })
          const pipeline = yield* startPipeline(context)
          const published = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 20),
          )
          expect(activityIds(published)).toEqual(uuidsOf(healthy.events()))
          const states = yield* health.snapshot
          const pendingState = states.find((s) => s.integrated_account_id === accountIds[0])
          expect(pendingState?.state).toBe("stopped")
          expect(pendingState?.last_error).toContain("not implemented")
          expect(pendingState?.consecutive_failures).toBe(0)
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 90_000)

  it("a checkpoint older than the provider's retention resumes from the earliest available and reports the gap", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startOktaSimulator({ historySize: 50, seed: 9, rateLimit: 100_000 })
          const { topics, loaded, context, accountIds, health } = yield* connectorUnderTest({
            simulators: [simulator],
          })
          const accountId = accountIds[0] ?? ""
          // The connector was down for 200 days: its checkpoint asks Okta for more than it keeps.
          const since = new Date(Date.now() - 200 * 86_400_000).toISOString()
          // Written by the first release, before checkpoints carried a sequence.
          const stale: typeof Checkpoint.Encoded = {
            version: 1,
            integrated_account_id: accountId,
            integration: "okta",
            filters: { created_at: since },
            position: {
              next: `/api/v1/logs?since=${encodeURIComponent(since)}&sortOrder=ASCENDING&limit=40`,
            },
            updated_at: since,
            published_total: 7,
            dead_lettered_total: 0,
            gaps: [],
          }
          yield* ensureTopics(loaded.config.kafka, []).pipe(Effect.provide(context))
          yield* Effect.promise(() =>
            writeRecords(brokers, topics.checkpoints, [{ key: accountId, value: JSON.stringify(stale) }]),
          )

          const pipeline = yield* startPipeline(context)
          const published = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 50),
          )
          expect(activityIds(published)).toEqual(uuidsOf(simulator.events()))
          const checkpoints = yield* Effect.promise(() =>
            readTopic(brokers, topics.checkpoints, (m) => m.length >= 3),
          )
          const latest = JSON.parse(checkpoints.at(-1)?.value ?? "{}") as Checkpoint
          expect(latest.gaps).toHaveLength(1)
          expect(latest.gaps[0]?.reason).toContain("180 days")
          expect(latest.filters.created_at).toBeUndefined()
          expect(latest.published_total).toBe(7 + 50)
          const states = yield* health.snapshot
          expect(states[0]?.gaps_total).toBe(1)
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 90_000)

  it("a checkpoint that read through 120 days ago (past Okta's 90-day retention, within its 180-day limit) records the gap on resume", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startOktaSimulator({ historySize: 40, seed: 19, rateLimit: 100_000 })
          const { topics, loaded, context, accountIds, health } = yield* connectorUnderTest({
            simulators: [simulator],
          })
          const accountId = accountIds[0] ?? ""
          const readThrough = new Date(Date.now() - 120 * 86_400_000).toISOString()
          const stale: Checkpoint = {
            version: 1,
            integrated_account_id: accountId,
            integration: "okta",
            filters: {},
            // Okta still answers this request (it is within 180 days); it just no longer has what followed.
            position: {
              next: `/api/v1/logs?since=${encodeURIComponent(readThrough)}&sortOrder=ASCENDING&limit=40`,
            },
            updated_at: readThrough,
            sequence: 30,
            last_created_at: readThrough,
            published_total: 900,
            dead_lettered_total: 0,
            gaps: [],
          }
          yield* ensureTopics(loaded.config.kafka, []).pipe(Effect.provide(context))
          yield* Effect.promise(() =>
            writeRecords(brokers, topics.checkpoints, [{ key: accountId, value: JSON.stringify(stale) }]),
          )

          const pipeline = yield* startPipeline(context)
          const published = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 40),
          )
          expect(activityIds(published)).toEqual(uuidsOf(simulator.events()))
          const checkpoints = yield* Effect.promise(() =>
            readTopic(brokers, topics.checkpoints, (m) => m.length >= 3),
          )
          const latest = JSON.parse(checkpoints.at(-1)?.value ?? "{}") as Checkpoint
          expect(latest.gaps).toHaveLength(1)
          expect(latest.gaps[0]?.from).toBe(readThrough)
          const resumedAt = Date.parse(latest.gaps[0]?.to ?? "")
          expect(Math.abs(resumedAt - (Date.now() - 90 * 86_400_000))).toBeLessThan(120_000)
          expect(latest.sequence).toBeGreaterThan(30)
          expect(latest.published_total).toBe(900 + 40)
          const states = yield* health.snapshot
          expect(states[0]?.gaps_total).toBe(1)
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 90_000)

  it("backfill re-publishes from an endpoint next_cursor, or from an instant, without touching the live checkpoint", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startOktaSimulator({ historySize: 60, seed: 4, rateLimit: 100_000 })
          const { topics, context, accountIds } = yield* connectorUnderTest({
            simulators: [simulator],
            pageSize: 25,
          })
          const accountId = accountIds[0] ?? ""
          const expected = uuidsOf(simulator.events())

          // A client read the first 20 through the endpoint and hands its next_cursor to the backfill.
          const firstPage = yield* listActivities({ accountId, filters: {}, limit: 20 }).pipe(
            Effect.provide(context),
          )
          expect(firstPage.result.map((a) => a.id)).toEqual(expected.slice(0, 20))
          const cursor = firstPage.next_cursor ?? ""
          const fromCursor = yield* runBackfill(accountId, { cursor }).pipe(Effect.provide(context))
          expect(fromCursor).toEqual({ published: 40, deadLettered: 0 })
          const replayed = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 40),
          )
          expect(activityIds(replayed)).toEqual(expected.slice(20))

          // From an instant: everything published at or after it.
          const events = simulator.events() as Array<{ uuid: string; published: string }>
          const since = events[45]?.published ?? ""
          const fromInstant = yield* runBackfill(accountId, { since }).pipe(Effect.provide(context))
          const expectedSince = events.filter((e) => e.published >= since).map((e) => e.uuid)
          expect(fromInstant.published).toBe(expectedSince.length)
          const all = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 40 + expectedSince.length),
          )
          expect(activityIds(all).slice(40)).toEqual(expectedSince)

          // A tampered cursor is refused before anything is published.
          const tampered = `${cursor.slice(0, -2)}${cursor.endsWith("A") ? "B" : "A"}${cursor.slice(-1)}`
          const refused = yield* runBackfill(accountId, { cursor: tampered }).pipe(
            Effect.provide(context),
            Effect.flip,
          )
          expect(refused._tag).toBe("BackfillInvalid")

          // No checkpoint was written: the live stream's position is not the backfill's business.
          const admin = kafkaFor(brokers).admin()
          const offsets = yield* Effect.promise(async () => {
            await admin.connect()
            const o = await admin.fetchTopicOffsets(topics.checkpoints)
            await admin.disconnect()
            return o
          })
          expect(offsets.every((o) => o.high === "0")).toBe(true)
        }),
      ),
    )
  }, 90_000)
})
