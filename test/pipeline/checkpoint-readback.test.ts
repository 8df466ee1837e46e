import { execFileSync } from "node:child_process"
import { randomUUID } from "node:crypto"
import { resolve } from "node:path"
import { Cause, Context, Effect, Exit, Fiber, Layer, Option, Schedule } from "effect"
import { type ConsumerConfig, Kafka, KafkaJSError, type Producer, type ProducerConfig } from "kafkajs"
import { afterEach, describe, expect, inject, it, vi } from "vitest"
import type { AccountPublisher } from "../../src/pipeline/AccountPublisher.ts"
import { runAccountStream } from "../../src/pipeline/AccountStream.ts"
import type { Checkpoint } from "../../src/pipeline/Checkpoint.ts"
import { KafkaFailure } from "../../src/pipeline/KafkaFailure.ts"
import { KafkaClient, kafkaJsConfig } from "../../src/pipeline/kafkajs/KafkaClient.ts"
import { kafkaActivitySink } from "../../src/pipeline/kafkajs/kafkaActivitySink.ts"
import { readCheckpoints } from "../../src/pipeline/kafkajs/kafkaCheckpointStore.ts"
import { ensureTopics } from "../../src/pipeline/kafkajs/Topics.ts"
import { makeAccountPublisher } from "../../src/pipeline/kafkajs/transactionalPublisher.ts"
import { shardTransactionalId } from "../../src/pipeline/kafkaNames.ts"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { openTransaction } from "../support/openTransaction.ts"
import { activityIds, readTopic, writeRecords } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")
const localBroker = inject("kafkaMode") === "local"
const brokerEnv = { ...process.env, ...inject("kafkaLocalEnv") }
const script = resolve(import.meta.dirname, "../../scripts/kafka-local")
const uuidsOf = (events: ReadonlyArray<unknown>) => (events as Array<{ uuid: string }>).map((e) => e.uuid)

const checkpointFor = (accountId: string, sequence: number): Checkpoint => ({
  version: 1,
  integrated_account_id: accountId,
  integration: "okta",
  filters: {},
  position: { next: `/api/v1/logs?after=${sequence}&sortOrder=ASCENDING&limit=40` },
  updated_at: new Date().toISOString(),
  sequence,
  published_total: sequence,
  dead_lettered_total: 0,
  gaps: [],
})

afterEach(() => {
  vi.useRealTimers()
})

describe("checkpoint read-back", () => {
  it("after a failed publish, the re-read waits out another account's open transaction and never goes back", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startOktaSimulator({ historySize: 60, seed: 31, rateLimit: 1_000_000 })
          const { topics, loaded, context } = yield* connectorUnderTest({
            simulators: [simulator],
            pageSize: 10,
          })
          const entry = loaded.accounts[0]
          if (!entry) throw new Error("no account")
          yield* ensureTopics(loaded.config.kafka, []).pipe(Effect.provide(context))
          const real = yield* makeAccountPublisher(entry.account, loaded.config.kafka).pipe(
            Effect.provide(context),
          )
          // Publishes 1 and 2 are the first pages. Before publish 3, another writer of the same checkpoint
          // partition opens a transaction; publish 3 commits, but its answer is lost. The other writer commits
          // 5 s later.
          let calls = 0
          let other: Awaited<ReturnType<typeof openTransaction>> | undefined
          const answerLost: AccountPublisher = {
            ready: real.ready,
            publish: (messages, checkpoint) =>
              Effect.gen(function* () {
                calls++
                if (calls === 3) {
                  other = yield* Effect.promise(() =>
                    openTransaction(brokers, topics.checkpoints, [
                      { key: randomUUID(), value: JSON.stringify(checkpointFor(randomUUID(), 1)) },
                    ]),
                  )
                }
                yield* real.publish(messages, checkpoint)
                if (calls === 3) {
                  setTimeout(() => void other?.commit(), 5_000)
                  return yield* new KafkaFailure({
                    operation: "transaction",
                    cause: new Error("injected: the commit landed, its answer was lost"),
                  })
                }
              }),
          }
          const stream = yield* runAccountStream(entry.account, entry.config, undefined, answerLost, {
            kafka: loaded.config.kafka,
            poll: loaded.config.poll,
            instanceId: "instance-a",
            minBackoff: "100 millis",
          }).pipe(Effect.provide(context), Effect.forkScoped)

          const published = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 60, 60_000, 3_000),
          )
          expect(calls).toBeGreaterThan(3)
          expect(activityIds(published)).toEqual(uuidsOf(simulator.events()))
          yield* Fiber.interrupt(stream)
        }),
      ),
    )
  }, 90_000)

  it("concurrent readers started in the same millisecond each read every account", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const { topics, loaded, context } = yield* connectorUnderTest({
            simulators: [],
            kafka: { partitions: 3 },
          })
          yield* ensureTopics(loaded.config.kafka, []).pipe(Effect.provide(context))
          const accounts = Array.from({ length: 6 }, () => randomUUID())
          yield* Effect.promise(() =>
            writeRecords(
              brokers,
              topics.checkpoints,
              accounts.map((id, i) => ({
                key: id,
                value: JSON.stringify(checkpointFor(id, i + 1)),
                partition: i % 3,
              })),
            ),
          )
          // The clock stands still: readers whose group ids came from it would share one consumer group and
          // split the partitions between them.
          vi.useFakeTimers({ toFake: ["Date"], now: Date.now() })
          const reads = yield* Effect.all(
            Array.from({ length: 3 }, () =>
              readCheckpoints(topics, "same-instance", { stableWithin: "20 seconds" }),
            ),
            { concurrency: "unbounded" },
          ).pipe(Effect.provide(context))
          vi.useRealTimers()
          for (const read of reads) expect([...read.latest.keys()].sort()).toEqual([...accounts].sort())
        }),
      ),
    )
  }, 90_000)

  it("a newer checkpoint that does not decode stops that account with a clear error instead of resuming from an older one", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const damaged = yield* startOktaSimulator({ historySize: 30, seed: 32, rateLimit: 1_000_000 })
          const healthy = yield* startOktaSimulator({ historySize: 20, seed: 33, rateLimit: 1_000_000 })
          const { topics, loaded, context, accountIds, health } = yield* connectorUnderTest({
            simulators: [damaged, healthy],
          })
          const [damagedId = "", healthyId = ""] = accountIds
          yield* ensureTopics(loaded.config.kafka, []).pipe(Effect.provide(context))
          const older = checkpointFor(damagedId, 4)
          yield* Effect.promise(() =>
            writeRecords(brokers, topics.checkpoints, [
              { key: damagedId, value: JSON.stringify(older) },
              // What a future version might write: this version cannot read it.
              { key: damagedId, value: JSON.stringify({ ...older, version: 2, sequence: 9 }) },
            ]),
          )
          const pipeline = yield* startPipeline(context)
          const published = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 20),
          )
          // Only the healthy account published.
          expect(activityIds(published)).toEqual(uuidsOf(healthy.events()))
          expect(published.every((m) => m.key === healthyId)).toBe(true)
          const states = yield* health.snapshot
          const stopped = states.find((s) => s.integrated_account_id === damagedId)
          expect(stopped?.state).toBe("stopped")
          expect(stopped?.last_error).toContain("does not decode")
          expect(damaged.requests()).toHaveLength(0)
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 90_000)

  it("a shard producer whose start-up failed is released before the next attempt; the shard's accounts share one producer", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const first = yield* startOktaSimulator({ historySize: 20, seed: 34, rateLimit: 1_000_000 })
          const second = yield* startOktaSimulator({ historySize: 20, seed: 35, rateLimit: 1_000_000 })
          const { topics, loaded, context } = yield* connectorUnderTest({
            simulators: [first, second],
          })
          // One partition: both accounts are in shard 0.
          const victim = shardTransactionalId(loaded.config.kafka.transactional_id_prefix, 0)
          const kafka = new ProducerCountingKafka(kafkaJsConfig(loaded.config.kafka, [brokers]), victim)
          const countingSink = yield* Layer.build(kafkaActivitySink(loaded.config.kafka)).pipe(
            Effect.provideService(KafkaClient, kafka),
          )
          const pipeline = yield* startPipeline(Context.merge(context, countingSink))
          yield* Effect.promise(() => readTopic(brokers, topics.activities, (m) => m.length >= 40))
          expect(kafka.initFailures).toBe(1)
          // One producer for the shard's two accounts, nothing left from the failed attempt.
          expect(kafka.connected.size).toBe(1)
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 90_000)
})

/** The real client; it counts connected producers and fails the first initialisation of one transactional id. */
class ProducerCountingKafka extends Kafka {
  readonly connected = new Set<Producer>()
  initFailures = 0
  private readonly failFirstInitOf: string
  constructor(config: ConstructorParameters<typeof Kafka>[0], failFirstInitOf: string) {
    super(config)
    this.failFirstInitOf = failFirstInitOf
  }
  override producer(config?: ProducerConfig): Producer {
    const producer = super.producer(config)
    producer.on(producer.events.CONNECT, () => this.connected.add(producer))
    producer.on(producer.events.DISCONNECT, () => this.connected.delete(producer))
    if (config?.transactionalId === this.failFirstInitOf && this.initFailures === 0) {
      producer.transaction = async () => {
        this.initFailures++
        throw new KafkaJSError("injected: InitProducerId failed")
      }
    }
    return producer
  }
}

// Stopping the broker needs the broker this harness started; an external cluster or a container is left alone.
describe.runIf(localBroker)("checkpoint read-back with the broker lost", () => {
  it("a broker lost while the checkpoint reader runs is a KafkaFailure to retry, not a defect", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const { topics, loaded, context } = yield* connectorUnderTest({ simulators: [] })
          yield* ensureTopics(loaded.config.kafka, []).pipe(Effect.provide(context))
          const accountId = randomUUID()
          yield* Effect.promise(() =>
            writeRecords(brokers, topics.checkpoints, [
              { key: accountId, value: JSON.stringify(checkpointFor(accountId, 3)) },
            ]),
          )
          // The broker goes away the moment the reader's consumer has connected: subscribe and the group
          // join then meet no broker.
          let stopped = false
          const kafka = new (class extends Kafka {
            override consumer(config: ConsumerConfig) {
              const consumer = super.consumer(config)
              consumer.on(consumer.events.CONNECT, () => {
                if (stopped) return
                stopped = true
                execFileSync("bash", [script, "stop"], { env: brokerEnv })
              })
              return consumer
            }
          })(kafkaJsConfig(loaded.config.kafka, [brokers]))
          const read = readCheckpoints(topics, "instance", { stableWithin: "20 seconds" }).pipe(
            Effect.provideService(KafkaClient, kafka),
          )
          const lost = yield* Effect.exit(read)
          expect(stopped).toBe(true)
          expect(Exit.isFailure(lost)).toBe(true)
          if (Exit.isFailure(lost)) {
            expect(Cause.isDie(lost.cause)).toBe(false)
            expect(Option.getOrUndefined(Cause.failureOption(lost.cause))?._tag).toBe("KafkaFailure")
          }

          execFileSync("bash", [script, "start"], {
            env: { ...brokerEnv, KAFKA_KEEP_DATA: "1" },
            timeout: 120_000,
          })
          const recovered = yield* read.pipe(
            Effect.retry(Schedule.spaced("1 second").pipe(Schedule.upTo("60 seconds"))),
          )
          expect(recovered.latest.get(accountId)?.sequence).toBe(3)
        }),
      ),
    )
  }, 180_000)
})
