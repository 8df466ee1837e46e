import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Effect, Fiber, Layer } from "effect"
import { describe, expect, inject, it } from "vitest"
import { appLayers } from "../../src/cli/runConnector.ts"
import type { AccountStreamHealth } from "../../src/pipeline/StreamHealth.ts"
import { StreamHealth } from "../../src/pipeline/StreamHealth.ts"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { caughtUp, connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { bumpEpoch } from "../support/openTransaction.ts"
import { activityIds, kafkaFor, readTopic } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")
const localBroker = inject("kafkaMode") === "local"
const brokerHome = inject("kafkaLocalEnv").KAFKA_LOCAL_HOME ?? ""
const uuidsOf = (events: ReadonlyArray<unknown>) => (events as Array<{ uuid: string }>).map((e) => e.uuid)

/** Every health state the account went through, sampled every 50 ms, until the returned stop is called. */
const sampleHealth = (snapshot: Effect.Effect<ReadonlyArray<AccountStreamHealth>>) => {
  const seen: AccountStreamHealth[] = []
  let running = true
  const loop = Effect.gen(function* () {
    while (running) {
      seen.push(...(yield* snapshot))
      yield* Effect.sleep("50 millis")
    }
  })
  return { seen, loop, stop: () => (running = false) }
}

const waitForRecords = (topic: string, count: number) =>
  Effect.promise(async () => {
    const admin = kafkaFor(brokers).admin()
    await admin.connect()
    for (;;) {
      const offsets = await admin.fetchTopicOffsets(topic).catch(() => [])
      if (offsets.reduce((sum, o) => sum + Number(o.high), 0) >= count) break
      await new Promise((r) => setTimeout(r, 100))
    }
    await admin.disconnect()
  })

describe("fencing", () => {
  it("fenced with no other instance claiming the account: the stream resumes with a new producer, exactly once", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startOktaSimulator({ historySize: 300, seed: 41, rateLimit: 1_000_000 })
          const { topics, loaded, context, accountIds, health } = yield* connectorUnderTest({
            simulators: [simulator],
            pollInterval: "100ms",
            pageSize: 10,
          })
          const sampler = sampleHealth(health.snapshot)
          const sampling = yield* Effect.fork(sampler.loop)
          const pipeline = yield* startPipeline(context, {
            minBackoff: "100 millis",
            ownershipGrace: "2 seconds",
          })
          // The whole history first, so that the producer that meets the bumped epoch is the one the stream
          // holds: under load, a publish that timed out mid-history would make the stream start a new producer,
          // which fences nobody, and the bump would go unnoticed.
          yield* waitForRecords(topics.activities, 300)
          yield* caughtUp(health.snapshot, 300)
          yield* Effect.promise(() =>
            bumpEpoch(brokers, `${loaded.config.kafka.transactional_id_prefix}.${accountIds[0]}`),
          )
          simulator.emit(20)
          const published = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 320, 60_000, 3_000),
          )
          sampler.stop()
          yield* Fiber.join(sampling)
          expect(activityIds(published)).toEqual(uuidsOf(simulator.events()))
          // It was fenced, and it did not stop.
          expect(
            sampler.seen.some((s) => /INVALID_PRODUCER_EPOCH|PRODUCER_FENCED/.test(s.last_error ?? "")),
          ).toBe(true)
          expect(sampler.seen.map((s) => s.state)).not.toContain("stopped")
          expect((yield* health.snapshot)[0]?.state).toBe("caught_up")
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 120_000)

  it("another instance takes the account over: the fenced one stops, the new one goes on, exactly once", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startOktaSimulator({ historySize: 300, seed: 42, rateLimit: 1_000_000 })
          const first = yield* connectorUnderTest({
            simulators: [simulator],
            pollInterval: "100ms",
            pageSize: 10,
          })
          const settings = { minBackoff: "100 millis", ownershipGrace: "2 seconds" } as const
          const pipelineA = yield* startPipeline(first.context, settings)
          yield* waitForRecords(first.topics.activities, 300)
          yield* caughtUp(first.health.snapshot, 300)

          // Instance B: same config (same accounts, same transactional ids), its own services. Its start
          // fences A; its claim follows once it has read the checkpoints. A fence met before that claim is
          // the ping-pong the ownership grace exists to avoid: the grace (15 s by default, 2 s here) must
          // outlast a newcomer's start-up. The records A is fenced on are emitted after B has claimed (its
          // first page, which follows the claim, is done), so the test does not race B's start-up.
          const contextB = yield* Layer.build(appLayers(first.loaded, [brokers]))
          const healthB = yield* StreamHealth.pipe(Effect.provide(contextB))
          const pipelineB = yield* startPipeline(contextB, settings)
          yield* caughtUp(healthB.snapshot, 0)
          simulator.emit(20)
          const published = yield* Effect.promise(() =>
            readTopic(brokers, first.topics.activities, (m) => m.length >= 320, 60_000, 3_000),
          )
          expect(activityIds(published)).toEqual(uuidsOf(simulator.events()))

          // A keeps polling until it has something to publish, is fenced then, and sees B's claim.
          for (let i = 0; i < 300; i++) {
            if ((yield* first.health.snapshot)[0]?.state === "stopped") break
            if (i % 10 === 0) simulator.emit(1)
            yield* Effect.sleep("200 millis")
          }
          const stateA = (yield* first.health.snapshot)[0]
          expect(stateA?.state).toBe("stopped")
          expect(stateA?.last_error).toContain("claimed account")
          expect(["streaming", "caught_up"]).toContain((yield* healthB.snapshot)[0]?.state)
          const all = yield* Effect.promise(() =>
            readTopic(
              brokers,
              first.topics.activities,
              (m) => m.length >= simulator.events().length,
              60_000,
              3_000,
            ),
          )
          expect(activityIds(all)).toEqual(uuidsOf(simulator.events()))
          yield* Fiber.interrupt(pipelineA)
          yield* Fiber.interrupt(pipelineB)
        }),
      ),
    )
  }, 150_000)
})

// Pausing the broker needs the broker this harness started; an external cluster or a container is left alone.
describe.runIf(localBroker)("a slow broker", () => {
  it("the broker paused (SIGSTOP) longer than the request and transaction timeouts: the stream recovers, exactly once", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startOktaSimulator({ historySize: 400, seed: 43, rateLimit: 1_000_000 })
          const { topics, context, health } = yield* connectorUnderTest({
            simulators: [simulator],
            pollInterval: "100ms",
            pageSize: 10,
            kafka: { request_timeout: "2s", transaction_timeout: "6s" },
          })
          const sampler = sampleHealth(health.snapshot)
          const sampling = yield* Effect.fork(sampler.loop)
          const pipeline = yield* startPipeline(context, {
            minBackoff: "200 millis",
            maxBackoff: "2 seconds",
            ownershipGrace: "2 seconds",
          })
          const emitter = setInterval(() => simulator.emit(2), 100)
          yield* waitForRecords(topics.activities, 100)
          const pid = readFileSync(join(brokerHome, "broker.pid"), "utf8").trim()
          execFileSync("kill", ["-STOP", pid])
          try {
            yield* Effect.sleep("12 seconds")
          } finally {
            execFileSync("kill", ["-CONT", pid])
          }
          yield* Effect.sleep("3 seconds")
          clearInterval(emitter)
          const expected = uuidsOf(simulator.events())
          const published = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= expected.length, 120_000, 3_000),
          )
          sampler.stop()
          yield* Fiber.join(sampling)
          expect(activityIds(published)).toEqual(expected)
          expect(sampler.seen.map((s) => s.state)).toContain("retrying")
          expect(sampler.seen.map((s) => s.state)).not.toContain("stopped")
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 180_000)
})
