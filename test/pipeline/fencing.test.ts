import { execFileSync } from "node:child_process"
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { Context, Effect, Fiber, Layer } from "effect"
import { describe, expect, inject, it } from "vitest"
import { appLayers } from "../../src/cli/runConnector.ts"
import { shardTransactionalId } from "../../src/pipeline/kafkaNames.ts"
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

describe("fencing and the shard group", () => {
  it("the shard's producer fenced while the shard is held (a coordinator's abort): the shard starts again with a new producer, exactly once", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startOktaSimulator({ historySize: 300, seed: 41, rateLimit: 1_000_000 })
          const { topics, loaded, context, health } = yield* connectorUnderTest({
            simulators: [simulator],
            pollInterval: "100ms",
            pageSize: 10,
          })
          const sampler = sampleHealth(health.snapshot)
          const sampling = yield* Effect.fork(sampler.loop)
          const pipeline = yield* startPipeline(context, {
            minBackoff: "100 millis",
            shardRestartDelay: "1 second",
          })
          // The whole history first, so that the producer that meets the bumped epoch is the one the shard
          // holds: under load, a publish that timed out mid-history would make the shard start a new producer,
          // which fences nobody, and the bump would go unnoticed.
          yield* waitForRecords(topics.activities, 300)
          yield* caughtUp(health.snapshot, 300)
          // One partition: the account's shard is 0.
          yield* Effect.promise(() =>
            bumpEpoch(brokers, shardTransactionalId(loaded.config.kafka.transactional_id_prefix, 0)),
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

  it("a second instance joins: the one shard is held by one of the two at a time; the holder leaves, the other takes over; exactly once", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startOktaSimulator({ historySize: 300, seed: 42, rateLimit: 1_000_000 })
          const first = yield* connectorUnderTest({
            simulators: [simulator],
            pollInterval: "100ms",
            pageSize: 10,
            kafka: { group_session_timeout: "6s" },
          })
          const settings = { minBackoff: "100 millis" } as const
          const pipelineA = yield* startPipeline(first.context, settings)
          yield* waitForRecords(first.topics.activities, 300)
          yield* caughtUp(first.health.snapshot, 300)

          // Instance B: same config (same accounts, same group, same shard transactional ids), its own services.
          const contextB = yield* Layer.build(appLayers(first.loaded, [brokers]))
          const healthB = Context.get(contextB, StreamHealth)
          const pipelineB = yield* startPipeline(contextB, settings)
          const instances = [
            { pipeline: pipelineA, health: first.health },
            { pipeline: pipelineB, health: healthB },
          ]
          // Both members, the shard with one of them.
          const settled = Effect.gen(function* () {
            for (;;) {
              const held = yield* Effect.forEach(instances, (i) => i.health.held)
              if (held.every((h) => h.group === "member") && held.flatMap((h) => h.shards).length === 1)
                return held.findIndex((h) => h.shards.length === 1)
              yield* Effect.sleep("100 millis")
            }
          })
          const holder = yield* settled
          const other = instances[1 - holder]
          const holding = instances[holder]
          if (!other || !holding) throw new Error("no holder")
          expect(yield* other.health.snapshot).toEqual([])
          yield* caughtUp(holding.health.snapshot, 0)
          simulator.emit(20)
          yield* waitForRecords(first.topics.activities, 320)

          // The holder stops (leaving the group): the other takes the shard over and goes on.
          yield* Fiber.interrupt(holding.pipeline)
          for (;;) {
            if ((yield* other.health.held).shards.length === 1) break
            yield* Effect.sleep("100 millis")
          }
          simulator.emit(20)
          const all = yield* Effect.promise(() =>
            readTopic(brokers, first.topics.activities, (m) => m.length >= 340, 60_000, 3_000),
          )
          expect(activityIds(all)).toEqual(uuidsOf(simulator.events()))
          expect((yield* other.health.snapshot)[0]?.state).not.toBe("stopped")
          yield* Fiber.interrupt(other.pipeline)
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
            shardRestartDelay: "1 second",
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
          // On a stall, the health the connector ends with says where it is stuck.
          expect(activityIds(published), JSON.stringify(yield* health.snapshot)).toEqual(expected)
          expect(sampler.seen.map((s) => s.state)).toContain("retrying")
          expect(sampler.seen.map((s) => s.state)).not.toContain("stopped")
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 180_000)
})
