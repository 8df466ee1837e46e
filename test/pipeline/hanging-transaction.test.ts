import { Effect, Fiber } from "effect"
import { describe, expect, inject, it } from "vitest"
import { highWatermarks } from "../../src/pipeline/kafkajs/KafkaClient.ts"
import { shardTransactionalId } from "../../src/pipeline/kafkaNames.ts"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { caughtUp, connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { bumpEpoch, openTransaction } from "../support/openTransaction.ts"
import { activityIds, kafkaFor, readTopic } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")
const uuidsOf = (events: ReadonlyArray<unknown>) => (events as Array<{ uuid: string }>).map((e) => e.uuid)

/** The end of each partition of `topic`, uncommitted records included. */
const endsOf = (topic: string) =>
  Effect.map(highWatermarks(kafkaFor(brokers), topic), (ends) => [...ends.entries()].sort())

describe("a transaction left open on the activities topic", () => {
  it("a producer replacing a fenced one writes nothing until the transaction has ended, then publishes exactly once", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startOktaSimulator({ historySize: 50, seed: 44, rateLimit: 1_000_000 })
          const { topics, loaded, context, accountIds, health } = yield* connectorUnderTest({
            simulators: [simulator],
            pollInterval: "100ms",
            pageSize: 10,
          })
          const pipeline = yield* startPipeline(context, {
            minBackoff: "100 millis",
            shardRestartDelay: "1 second",
          })
          yield* Effect.promise(() => readTopic(brokers, topics.activities, (m) => m.length >= 50, 60_000, 0))
          yield* caughtUp(health.snapshot, 50)
          // What a broker that lost an abort marker leaves: a transaction nobody will end on its own. (Here
          // another producer's, ended by the test; its timeout is longer than the test.)
          const held = yield* Effect.promise(() =>
            openTransaction(brokers, topics.activities, [{ key: "someone-else", value: "{}" }], 120_000),
          )
          const heldEnds = yield* endsOf(topics.activities)
          // The shard's producer is fenced on its next publish; the shard, still held, starts again with a new
          // producer after a second, which must not write while the held transaction is open.
          yield* Effect.promise(() =>
            bumpEpoch(brokers, shardTransactionalId(loaded.config.kafka.transactional_id_prefix, 0)),
          )
          simulator.emit(10)
          let sawFence = false
          for (let i = 0; i < 80; i++) {
            const [state] = yield* health.snapshot
            sawFence ||= /INVALID_PRODUCER_EPOCH|PRODUCER_FENCED/.test(state?.last_error ?? "")
            yield* Effect.sleep("100 millis")
          }
          expect(sawFence).toBe(true)
          // 8 s on (the restart delay is 1 s): nothing of the account written, not even uncommitted.
          expect(yield* endsOf(topics.activities)).toEqual(heldEnds)

          yield* Effect.promise(() => held.abort())
          const published = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 60, 60_000, 2_000),
          )
          expect(activityIds(published)).toEqual(uuidsOf(simulator.events()))
          expect(published.every((m) => m.key === accountIds[0])).toBe(true)
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 120_000)
})
