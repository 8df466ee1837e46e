import { Context, Deferred, Effect, Either, Fiber } from "effect"
import { describe, expect, inject, it } from "vitest"
import type { AccountConfig } from "../../src/config/ConnectorConfig.ts"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import type { OutgoingMessage } from "../../src/pipeline/ActivityMessages.ts"
import { freshCheckpoint, startFilters } from "../../src/pipeline/accountCheckpoints.ts"
import { KafkaClient } from "../../src/pipeline/kafkajs/KafkaClient.ts"
import { ensureTopics } from "../../src/pipeline/kafkajs/Topics.ts"
import { makeTransactionalPublisher } from "../../src/pipeline/kafkajs/transactionalPublisher.ts"
import { shardTransactionalId } from "../../src/pipeline/kafkaNames.ts"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { connectorUnderTest } from "../support/connectorUnderTest.ts"
import { type ReadMessage, readTopic } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")

/** The broker's default `message.max.bytes` is 1 MiB: a record of 1.5 MB is refused, whatever the client says. */
const refusedValue = "x".repeat(1_500_000)

/**
 * A shard's accounts share one transactional producer. Their pages that wait for it together go out in one
 * transaction: shown by the checkpoint topic's partition, where each commit leaves a control record that takes
 * an offset of its own. Checkpoints committed together sit at consecutive offsets; one after another, a marker
 * between each two.
 */
describe("one transaction for the pages of a shard's accounts that wait together", () => {
  const setUp = Effect.gen(function* () {
    const sims = yield* Effect.forEach([81, 82, 83, 84], (seed) =>
      startOktaSimulator({ historySize: 0, seed, rateLimit: 1_000_000 }),
    )
    const { topics, loaded, context } = yield* connectorUnderTest({ simulators: sims, pageSize: 10 })
    // The client's own limit raised above the broker's, so that a record the broker refuses reaches it.
    const kafkaSettings = { ...loaded.config.kafka, max_message_bytes: 4_000_000 }
    yield* ensureTopics(loaded.config.kafka, []).pipe(Effect.provide(context))
    // One partition, one shard: every account is shard 0.
    const transactionalId = shardTransactionalId(kafkaSettings.transactional_id_prefix, 0)
    /** The producer's first turn waits for this, as a shard's first transaction waits for stable topics. */
    const gate = yield* Deferred.make<void>()
    const publisher = yield* makeTransactionalPublisher(
      transactionalId,
      kafkaSettings,
      Deferred.await(gate),
      {
        settleFirst: true,
      },
    ).pipe(Effect.provideService(KafkaClient, Context.get(context, KafkaClient)))
    const now = new Date()
    const page = (account: IntegratedAccount, config: AccountConfig, tag: string, value?: string) => ({
      messages: [1, 2].map(
        (n): OutgoingMessage => ({
          topic: topics.activities,
          message: { key: account.id, value: value ?? JSON.stringify({ tag, n }) },
        }),
      ),
      checkpoint: freshCheckpoint(account, startFilters(account, config, now), now),
    })
    const publish = (index: number, tag: string, value?: string) => {
      const entry = loaded.accounts[index]
      if (entry === undefined) throw new Error(`account ${index} expected`)
      const { messages, checkpoint } = page(entry.account, entry.config, tag, value)
      return publisher.publish(entry.account, messages, checkpoint)
    }
    const ready = (index: number) => {
      const entry = loaded.accounts[index]
      if (entry === undefined) throw new Error(`account ${index} expected`)
      return publisher.ready(entry.account)
    }
    /** Until every publish forked before has queued: a publish waiting for its turn is asleep on the permit. */
    const settle = Effect.sleep("300 millis")
    const read = (topic: string, n: number) =>
      Effect.promise(() => readTopic(brokers, topic, (m) => m.length >= n, 30_000, 1_500))
    const tags = (messages: ReadonlyArray<ReadMessage>) =>
      messages.map((m) => (JSON.parse(m.value ?? "{}") as { tag?: string }).tag)
    return { topics, gate, publish, ready, settle, read, tags, accounts: loaded.accounts }
  })

  it("pages waiting together are committed together; a page alone is a transaction of its own", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const { topics, gate, publish, settle, read, tags } = yield* setUp
          // Three accounts' pages wait for the producer's first turn; then a fourth's, and the first's again,
          // one after the other.
          const together = yield* Effect.forEach([0, 1, 2], (i) => Effect.fork(publish(i, `together-${i}`)))
          yield* settle
          yield* Deferred.succeed(gate, undefined)
          for (const fiber of together) yield* Fiber.join(fiber)
          yield* publish(3, "alone-3")
          yield* publish(0, "alone-0")

          const checkpoints = yield* read(topics.checkpoints, 5)
          const offsets = checkpoints.map((m) => Number(m.offset))
          const [first = 0] = offsets
          // Consecutive: the first three in one transaction, its commit marker at first + 3; then one
          // transaction each, a marker after each.
          expect(offsets).toEqual([first, first + 1, first + 2, first + 4, first + 6])
          expect(new Set(checkpoints.slice(0, 3).map((m) => m.key)).size).toBe(3)
          const activities = yield* read(topics.activities, 10)
          expect(tags(activities).sort()).toEqual(
            [
              ...["together-0", "together-1", "together-2", "alone-3", "alone-0"].flatMap((tag) => [
                tag,
                tag,
              ]),
            ].sort(),
          )
        }),
      ),
    )
  }, 120_000)

  it("a page the broker refuses fails its transaction once; its account's next page goes alone, and the others' pages are not refused with it", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const { topics, gate, publish, ready, settle, read, tags } = yield* setUp
          // Account 0's page holds a record the broker refuses; it waits for the first turn with 1's and 2's.
          const first = yield* Effect.forEach([0, 1, 2], (i) =>
            Effect.fork(publish(i, `first-${i}`, i === 0 ? refusedValue : undefined)),
          )
          yield* settle
          yield* Deferred.succeed(gate, undefined)
          const firstOutcomes = yield* Effect.forEach(first, (fiber) => Effect.either(Fiber.join(fiber)))
          expect(firstOutcomes.map(Either.isLeft)).toEqual([true, true, true])

          // Each account reads its checkpoint again after the producer is replaced (as a stream does). Account
          // 3's page and 0's, 1's and 2's wait for the producer together. Taken together, 0's, 1's and 2's would
          // be refused by the broker again; 0's goes alone instead. Its failure replaces the producer, as any
          // failed transaction does, so 1's and 2's are refused in doubt, not by the broker: their accounts read
          // their checkpoints again and publish.
          for (const i of [0, 1, 2, 3]) yield* ready(i)
          const second = yield* Effect.forEach([3, 0, 1, 2], (i) =>
            Effect.fork(publish(i, `second-${i}`, i === 0 ? refusedValue : undefined)),
          )
          const secondOutcomes = yield* Effect.forEach(second, (fiber) => Effect.either(Fiber.join(fiber)))
          const why = secondOutcomes.map((outcome) => (Either.isLeft(outcome) ? outcome.left.message : "ok"))
          expect(why[0]).toBe("ok")
          expect(why[1]).toMatch(/MESSAGE_TOO_LARGE/)
          for (const i of [2, 3]) {
            expect(why[i]).not.toMatch(/MESSAGE_TOO_LARGE/)
            expect(why[i]).toMatch(/replaced since this account read its checkpoint|^ok$/)
          }
          for (const i of [1, 2]) yield* ready(i)
          yield* Effect.forEach([1, 2], (i) => publish(i, `third-${i}`), { concurrency: "unbounded" })

          const publishedSecond = [3, 0, 1, 2].filter((_, i) => why[i] === "ok").map((a) => `second-${a}`)
          const activities = yield* read(topics.activities, 2 * (publishedSecond.length + 2))
          expect(tags(activities).sort()).toEqual(
            [...publishedSecond, "third-1", "third-2"].flatMap((tag) => [tag, tag]).sort(),
          )
        }),
      ),
    )
  }, 120_000)
})
