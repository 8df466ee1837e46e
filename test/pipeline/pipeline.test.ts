import { Effect, Fiber } from "effect"
import { describe, expect, inject, it } from "vitest"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { isFailedSignIn, type OktaEventLike } from "../support/oktaFailedSignIns.ts"
import { describeErrors, recordValidators } from "../support/publishedSchemas.ts"
import { activityIds, readTopic } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")

describe("pipeline: Okta simulator → Kafka", () => {
  it("streams the history, keeps up with new events, exactly once; login_failed routed; bad records dead-lettered", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startOktaSimulator({ historySize: 120, seed: 11, rateLimit: 100_000 })
          const { topics, context, accountIds } = yield* connectorUnderTest({ simulators: [simulator] })
          const accountId = accountIds[0] ?? ""
          const startedAt = Date.now()
          const pipeline = yield* startPipeline(context, { minBackoff: "100 millis", maxBackoff: "1 second" })
          const expectedIds = () => (simulator.events() as OktaEventLike[]).map((e) => e.uuid)

          // 1. The whole history, in provider order, each once.
          const history = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 120),
          )
          expect(activityIds(history)).toEqual(expectedIds())

          // The record: keyed by account, timestamped by the broker when it was appended (the activity's
          // hours-old created_at is in the value and ce_time), CloudEvents headers.
          const first = history[0]
          const firstActivity = JSON.parse(first?.value ?? "{}")
          expect(first?.key).toBe(accountId)
          expect(Date.parse(firstActivity.created_at)).toBeLessThan(startedAt)
          expect(Number(first?.timestamp)).toBeGreaterThanOrEqual(startedAt - 1_000)
          expect(Number(first?.timestamp)).toBeLessThanOrEqual(Date.now())
          expect(first?.headers).toMatchObject({
            ce_specversion: "1.0",
            ce_id: firstActivity.id,
            ce_source: `/integrations/okta/accounts/${accountId}`,
            ce_time: firstActivity.created_at,
            "content-type": "application/json",
            integration: "okta",
            integrated_account_id: accountId,
          })
          expect(first?.headers.ce_type).toContain(firstActivity.action)
          expect(firstActivity.remote_data.uuid).toBe(firstActivity.id)
          // The envelope, observed when the connector fetched the page; the schema and dedupe key it names.
          expect(firstActivity).toMatchObject({
            integrated_account_id: accountId,
            integration: "okta",
            schema_version: "1.0.0",
            dedupe_key: expect.stringMatching(/^[0-9a-f]{64}$/),
          })
          expect(Date.parse(firstActivity.observed_at)).toBeGreaterThanOrEqual(startedAt)
          expect(first?.headers).toMatchObject({
            ce_dataschema: "urn:siem-connector:schemas/v1/activity.json",
            dedupe_key: firstActivity.dedupe_key,
          })
          const validators = recordValidators()
          const problems = history.flatMap((m) =>
            validators.activities(JSON.parse(m.value ?? "null"))
              ? []
              : [describeErrors(validators.activities.errors)],
          )
          expect(problems).toEqual([])

          // 2. New activity arrives after the stream caught up.
          simulator.emit(30)
          const live = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 150),
          )
          expect(activityIds(live)).toEqual(expectedIds())

          // 3. login_failed: exactly the failed sign-ins, also on their own topic.
          // Failed attempts and the raw failures Okta's mapping counts with them (lockout, policy DENY…).
          const failedIds = (simulator.events() as OktaEventLike[])
            .filter((e) => isFailedSignIn(e))
            .map((e) => e.uuid)
          expect(failedIds.length).toBeGreaterThan(0)
          const failed = yield* Effect.promise(() =>
            readTopic(brokers, topics.login_failed, (m) => m.length >= failedIds.length),
          )
          expect(activityIds(failed)).toEqual(failedIds)
          expect(failed[0]?.headers.ce_dataschema).toBe("urn:siem-connector:schemas/v1/login-failed.json")
          expect(validators.login_failed(JSON.parse(failed[0]?.value ?? "null"))).toBe(true)

          // 4. A record that does not decode goes to the dead-letter topic with its reason; the stream goes on.
          const bad = simulator.injectMalformed("missing-uuid")
          simulator.emit(5)
          const deadLetters = yield* Effect.promise(() =>
            readTopic(brokers, topics.dead_letter, (m) => m.length >= 1),
          )
          expect(deadLetters).toHaveLength(1)
          const dead = JSON.parse(deadLetters[0]?.value ?? "{}")
          expect(dead).toMatchObject({
            integrated_account_id: accountId,
            integration: "okta",
            stage: "decode",
          })
          expect(dead.reason).toContain("uuid")
          expect(dead.raw).toEqual(bad)
          expect(deadLetters[0]?.headers.ce_dataschema).toBe("urn:siem-connector:schemas/v1/dead-letter.json")
          expect(validators.dead_letter(dead), describeErrors(validators.dead_letter.errors)).toBe(true)
          const after = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 155),
          )
          const goodIds = (simulator.events() as OktaEventLike[])
            .filter((e) => e.uuid !== undefined)
            .map((e) => e.uuid)
          expect(activityIds(after)).toEqual(goodIds)

          // 5. The checkpoint after the last page names the account and holds the Okta position.
          const checkpoints = yield* Effect.promise(() =>
            readTopic(brokers, topics.checkpoints, (m) => m.length >= 1),
          )
          const latest = JSON.parse(checkpoints.at(-1)?.value ?? "{}")
          expect(checkpoints.at(-1)?.key).toBe(accountId)
          expect(latest).toMatchObject({
            integrated_account_id: accountId,
            integration: "okta",
            dead_lettered_total: 1,
          })
          expect(latest.position.next).toMatch(/^\/api\/v1\/logs\?/)

          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 120_000)

  it("a page larger than the broker's batch limit goes out in several produce calls of one transaction", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          // ~2 KB per LogEvent: 1000 of them are twice the broker's default message.max.bytes of 1 MiB.
          const simulator = yield* startOktaSimulator({ historySize: 1_500, seed: 21, rateLimit: 100_000 })
          const { topics, context } = yield* connectorUnderTest({ simulators: [simulator], pageSize: 1_000 })
          const pipeline = yield* startPipeline(context)
          const published = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 1_500, 60_000),
          )
          const pageBytes = published.slice(0, 1_000).reduce((sum, m) => sum + (m.value?.length ?? 0), 0)
          expect(pageBytes).toBeGreaterThan(1_048_576)
          expect(activityIds(published)).toEqual((simulator.events() as OktaEventLike[]).map((e) => e.uuid))
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 120_000)
})
