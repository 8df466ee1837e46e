import { describe, expect, it } from "@effect/vitest"
import {
  Cause,
  Context,
  Deferred,
  Duration,
  Effect,
  Either,
  Exit,
  Fiber,
  Layer,
  Option,
  TestClock,
} from "effect"
import { Authorization } from "../../src/auth/Authorization.ts"
import { parseConfig } from "../../src/config/loadConfig.ts"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { ProviderHttp } from "../../src/http/ProviderHttp.ts"
import { type AccountStreamSettings, runAccountStream } from "../../src/pipeline/AccountStream.ts"
import { ActivitySink } from "../../src/pipeline/ActivitySink.ts"
import type { Checkpoint } from "../../src/pipeline/Checkpoint.ts"
import { StreamHealth } from "../../src/pipeline/StreamHealth.ts"
import { providers } from "../../src/providers/registry.ts"
import { activities } from "../../src/providers/zoom/streams/activities.ts"
import { REPORT_SETTLE } from "../../src/providers/zoom/streams/reports.ts"
import { type OktaSimulatorHandle, startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import type { ProviderSimulator } from "../../src/simulators/ProviderSimulator.ts"
import { startSalesforceSimulator } from "../../src/simulators/salesforce/SalesforceSimulator.ts"
import { startZoomSimulator } from "../../src/simulators/zoom/ZoomSimulator.ts"
import { emitAt } from "../providers/zoom/zoomTestKit.ts"
import { makeInMemoryKafka } from "../support/InMemoryKafka.ts"
import { pipelineConfigYaml } from "../support/pipelineConfig.ts"
import { asleepFor, eventually, realSleep } from "../support/testClock.ts"
import { uniqueTopics } from "../support/topics.ts"

// The stream logic against an in-memory Kafka side and the TestClock: every wait of the stream (poll
// interval, backoff) happens only when the test moves the clock. The provider is the Okta
// simulator over real loopback HTTP, so the test waits in real time only for HTTP answers.

const uuidsOf = (simulator: OktaSimulatorHandle) =>
  (simulator.events() as Array<{ uuid: string }>).map((e) => e.uuid)

const streamUnderTest = (options: {
  historySize: number
  resumeFrom?: (accountId: string) => Checkpoint
  pollInterval?: string
  backoff?: { readonly min: Duration.DurationInput; readonly max: Duration.DurationInput }
}) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.now())
    const simulator = yield* startOktaSimulator({
      historySize: options.historySize,
      seed: 61,
      rateLimit: 1_000_000,
    })
    return yield* streamOn(simulator, options)
  })

/** One account's stream on `simulator` (started on the TestClock), in-memory Kafka, polling every 30 s unless told. */
const streamOn = <S extends ProviderSimulator>(
  simulator: S,
  options: {
    resumeFrom?: (accountId: string) => Checkpoint
    pollInterval?: string
    backoff?: { readonly min: Duration.DurationInput; readonly max: Duration.DurationInput }
  },
) =>
  Effect.gen(function* () {
    const topics = uniqueTopics()
    const loaded = parseConfig(
      "unit",
      pipelineConfigYaml({
        brokers: "127.0.0.1:9",
        topics,
        simulators: [simulator],
        pageSize: 10,
        pollInterval: options.pollInterval ?? "30s",
      }),
      {},
    )
    if (Either.isLeft(loaded)) return yield* Effect.die(new Error(loaded.left.message))
    const entry = loaded.right.accounts[0]
    if (!entry) return yield* Effect.die(new Error("no account"))
    const kafka = makeInMemoryKafka()
    const settings: AccountStreamSettings = {
      kafka: loaded.right.config.kafka,
      poll: loaded.right.config.poll,
      instanceId: "instance-a",
      minBackoff: options.backoff?.min ?? "1 second",
      maxBackoff: options.backoff?.max ?? "1 second",
    }
    const context = yield* Layer.build(
      Layer.mergeAll(
        kafka.layer,
        StreamHealth.layer,
        Layer.provideMerge(Authorization.layer(providers), ProviderHttp.layer({ retryBase: "10 millis" })),
      ),
    )
    /** The stream from `resumeFrom`, on a new producer of the shard: what the pipeline starts after a fence. */
    const start = (resumeFrom: Checkpoint | undefined) =>
      Effect.gen(function* () {
        const publisher = yield* Context.get(context, ActivitySink).publisherFor(entry.account)
        return yield* runAccountStream(entry.account, entry.config, resumeFrom, publisher, settings).pipe(
          Effect.provide(context),
          Effect.fork,
        )
      })
    const stream = yield* start(options.resumeFrom?.(entry.account.id))
    const health = Context.get(context, StreamHealth)
    const state = () => Effect.map(health.snapshot, (all) => all[0])
    return { simulator, topics, kafka, stream, start, state, accountId: entry.account.id }
  })

/** The stream ended because its (shard's) producer was fenced: for the pipeline to stop or restart the shard. */
const expectFenced = (exit: Exit.Exit<unknown, unknown>) => {
  expect(Exit.isFailure(exit)).toBe(true)
  if (Exit.isFailure(exit)) {
    const error = Option.getOrUndefined(Cause.failureOption(exit.cause)) as
      | { _tag: string; fenced?: boolean }
      | undefined
    expect(error?._tag).toBe("KafkaFailure")
    expect(error?.fenced).toBe(true)
  }
}

describe("AccountStream on an in-memory Kafka side", () => {
  it.scoped("caught up, it waits the poll interval on the Clock before it asks the provider again", () =>
    Effect.gen(function* () {
      const { simulator, topics, kafka, stream } = yield* streamUnderTest({ historySize: 25 })
      yield* eventually(() => kafka.idsOn(topics.activities).length === 25, "the history")
      // Three pages of 10, 10, 5, then the empty page that says "caught up".
      yield* eventually(() => simulator.requests().length === 4, "the caught-up request")
      simulator.emit(3)
      yield* realSleep(300)
      expect(simulator.requests()).toHaveLength(4)
      // The interval is 30 s with no jitter (the test config): 29 s is not enough, 30 s is.
      yield* asleepFor(30_000, "the poll interval")
      yield* TestClock.adjust("29 seconds")
      yield* realSleep(200)
      expect(simulator.requests()).toHaveLength(4)
      yield* TestClock.adjust("1 second")
      yield* eventually(() => kafka.idsOn(topics.activities).length === 28, "the new activity")
      expect(kafka.idsOn(topics.activities)).toEqual(uuidsOf(simulator))
      yield* Fiber.interrupt(stream)
    }),
  )

  it.scoped(
    "a commit whose answer was lost: it resumes from the stored checkpoint and publishes nothing twice",
    () =>
      Effect.gen(function* () {
        const { simulator, topics, kafka, stream, state } = yield* streamUnderTest({ historySize: 40 })
        // The first page commits, but its answer is lost.
        kafka.inject({ kind: "answer_lost" })
        yield* eventually(
          () => kafka.idsOn(topics.activities).length >= 40,
          "the history",
          TestClock.adjust("1 second"),
        )
        expect(kafka.idsOn(topics.activities)).toEqual(uuidsOf(simulator))
        expect((yield* state())?.state).not.toBe("stopped")
        yield* Fiber.interrupt(stream)
      }),
  )

  it.scoped(
    "a provider that asks for two hours' rest is not asked again sooner, whatever the backoff says",
    () =>
      Effect.gen(function* () {
        const { simulator, topics, kafka, stream, state } = yield* streamUnderTest({ historySize: 25 })
        simulator.forceRateLimited(1, 2 * 3_600_000)
        yield* eventually(() => simulator.requests().length === 1, "the rate-limited request")
        yield* eventually(
          () => kafka.idsOn(topics.activities).length === 0 && simulator.requests().length === 1,
          "nothing published",
        )
        // The backoff is 1 s in this test: ten of them pass, and not one more try is made.
        for (let i = 0; i < 10; i++) {
          yield* TestClock.adjust("1 second")
          yield* realSleep(30)
        }
        const resting = yield* state()
        expect(resting?.state).toBe("retrying")
        expect(resting?.consecutive_failures).toBe(1)
        expect(resting?.last_error).toContain("429")
        expect(simulator.requests()).toHaveLength(1)
        yield* TestClock.adjust("2 hours")
        yield* eventually(() => kafka.idsOn(topics.activities).length === 25, "the history after the rest")
        expect(kafka.idsOn(topics.activities)).toEqual(uuidsOf(simulator))
        yield* Fiber.interrupt(stream)
      }),
  )

  it.scoped(
    "a failure after pages that committed waits the first backoff again, not the longest reached before",
    () =>
      Effect.gen(function* () {
        const { simulator, topics, kafka, stream, state } = yield* streamUnderTest({
          historySize: 10,
          backoff: { min: "1 second", max: "1 hour" },
        })
        // Four failures in a row: the backoff grows to 8 s (±20 % jitter), a fifth in a row would wait 16 s.
        kafka.inject({ kind: "abort" }, { kind: "abort" }, { kind: "abort" }, { kind: "abort" })
        yield* eventually(
          () => kafka.idsOn(topics.activities).length === 10,
          "the history",
          TestClock.adjust("1 second"),
        )
        yield* asleepFor(30_000, "the poll interval")
        simulator.emit(3)
        kafka.inject({ kind: "abort" })
        yield* TestClock.adjust("30 seconds")
        for (let i = 0; i < 400 && (yield* state())?.state !== "retrying"; i++) yield* realSleep(25)
        expect(yield* state()).toMatchObject({ state: "retrying", consecutive_failures: 1 })
        // The first delay again: 1 s ± 20 %.
        yield* TestClock.adjust("1300 millis")
        yield* eventually(
          () => kafka.idsOn(topics.activities).length === 13,
          "the new activity, retried once",
        )
        expect(kafka.idsOn(topics.activities)).toEqual(uuidsOf(simulator))
        yield* Fiber.interrupt(stream)
      }),
  )

  it.scoped("an aborted transaction: the page is published again, once", () =>
    Effect.gen(function* () {
      const { simulator, topics, kafka, stream } = yield* streamUnderTest({ historySize: 40 })
      kafka.inject({ kind: "abort" }, { kind: "abort" })
      yield* eventually(
        () => kafka.idsOn(topics.activities).length >= 40,
        "the history",
        TestClock.adjust("1 second"),
      )
      expect(kafka.idsOn(topics.activities)).toEqual(uuidsOf(simulator))
      yield* Fiber.interrupt(stream)
    }),
  )

  it.scoped("the next page is read while a page's transaction is in flight, and used once it commits", () =>
    Effect.gen(function* () {
      const { simulator, topics, kafka, stream, state } = yield* streamUnderTest({ historySize: 30 })
      const until = yield* Deferred.make<void>()
      kafka.inject({ kind: "held", until, outcome: "none" })
      yield* eventually(() => simulator.requests().length === 2, "the second page's read")
      expect(kafka.idsOn(topics.activities)).toHaveLength(0)
      yield* Deferred.succeed(until, undefined)
      yield* eventually(() => kafka.idsOn(topics.activities).length >= 30, "the history")
      expect(kafka.idsOn(topics.activities)).toEqual(uuidsOf(simulator))
      // Pages of 10, 10, 10, then the empty one: the page read ahead was not read again. Counted once the
      // stream has taken the empty page in (caught up), when no request of this round can still be on its way.
      // Not by a sleep of 30 s on the TestClock: a request in flight sleeps its 30 s timeout too, and was seen
      // asleep before the simulator had the request.
      for (let i = 0; (yield* state())?.state !== "caught_up"; i++) {
        if (i >= 1_200) return yield* Effect.die(new Error("timed out waiting for the stream to catch up"))
        yield* realSleep(25)
      }
      expect(simulator.requests()).toHaveLength(4)
      yield* Fiber.interrupt(stream)
    }),
  )

  it.scoped(
    "a page read ahead of a transaction that aborts is dropped: the aborted page goes again, once",
    () =>
      Effect.gen(function* () {
        const { simulator, topics, kafka, stream } = yield* streamUnderTest({ historySize: 30 })
        const until = yield* Deferred.make<void>()
        kafka.inject({ kind: "held", until, outcome: "abort" })
        yield* eventually(() => simulator.requests().length === 2, "the second page's read")
        yield* Deferred.succeed(until, undefined)
        yield* eventually(
          () => kafka.idsOn(topics.activities).length >= 30,
          "the history",
          TestClock.adjust("1 second"),
        )
        expect(kafka.idsOn(topics.activities)).toEqual(uuidsOf(simulator))
        // The first page twice (the abort's retry), and the page read ahead again after it.
        expect(simulator.requests().length).toBeGreaterThanOrEqual(5)
        yield* Fiber.interrupt(stream)
      }),
  )

  it.scoped(
    "fenced: the stream ends at once with the fence, publishes nothing more and waits for nobody",
    () =>
      Effect.gen(function* () {
        const { topics, kafka, stream } = yield* streamUnderTest({ historySize: 40 })
        // The first page commits; the second is fenced (another instance took the shard).
        kafka.inject({ kind: "none" }, { kind: "fenced" })
        const exit = yield* Fiber.await(stream)
        expectFenced(exit)
        expect(kafka.idsOn(topics.activities)).toHaveLength(10)
        expect(kafka.publishes()).toBe(2)
      }),
  )

  it.scoped(
    "a provider continuation it will not follow stops the account with the reason instead of retrying",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now())
        const sim = yield* startSalesforceSimulator({
          historySize: 60,
          seed: 61,
          maxBatchSize: 10,
          nextRecordsUrl: (path) => `https://evil.example${path}`,
        })
        const { stream, state } = yield* streamOn(sim, {})
        const exit = yield* Fiber.await(stream).pipe(
          Effect.race(Effect.forever(Effect.zipRight(TestClock.adjust("1 second"), realSleep(20)))),
        )
        expect(Exit.isFailure(exit)).toBe(true)
        const error = Exit.isFailure(exit)
          ? Option.getOrUndefined(Cause.failureOption(exit.cause))
          : undefined
        expect(error).toMatchObject({ _tag: "ContinuationRefused", host: "evil.example" })
        expect((error as { message?: string } | undefined)?.message).toContain("evil.example")
        // Only first queries, answered with the foreign nextRecordsUrl: no batch asked for, and after the
        // backoff would have run out many times over, no read tried again.
        const queries = () => sim.requests().filter((r) => r.path.startsWith("/services/data/"))
        const sent = queries().length
        expect(queries().every((r) => r.path.endsWith("/query") && r.params.q !== undefined)).toBe(true)
        yield* TestClock.adjust("10 minutes")
        yield* realSleep(100)
        expect(queries()).toHaveLength(sent)
        expect((yield* state())?.state).not.toBe("retrying")
        expect((yield* state())?.consecutive_failures).toBe(0)
      }),
  )

  it.scoped(
    "resumed past the provider's retention: the gap is recorded at the Clock's time, nothing republished",
    () =>
      Effect.gen(function* () {
        const readThrough = new Date(Date.now() - 120 * 86_400_000).toISOString()
        const { simulator, topics, kafka, stream, state } = yield* streamUnderTest({
          historySize: 30,
          resumeFrom: (accountId) => ({
            version: 1,
            integrated_account_id: accountId,
            integration: "okta",
            filters: {},
            position: { next: "/api/v1/logs?after=1&sortOrder=ASCENDING&limit=10" },
            updated_at: readThrough,
            sequence: 7,
            last_created_at: readThrough,
            published_total: 300,
            dead_lettered_total: 0,
            gaps: [],
          }),
        })
        yield* eventually(() => kafka.idsOn(topics.activities).length >= 30, "the kept history")
        expect(kafka.idsOn(topics.activities)).toEqual(uuidsOf(simulator))
        const health = yield* state()
        expect(health?.gaps_total).toBe(1)
        const checkpoint = kafka.latest(health?.integrated_account_id ?? "")
        expect(checkpoint?.gaps[0]?.from).toBe(readThrough)
        expect(checkpoint?.published_total).toBe(330)
        expect(checkpoint?.sequence).toBeGreaterThan(7)
        yield* Fiber.interrupt(stream)
      }),
  )

  it.scoped(
    "quiet for longer than the retention but polling all along: no gap after a fence, nothing read again",
    () =>
      Effect.gen(function* () {
        // Polls 50 days apart, so the TestClock can pass months without waking the stream every 30 s.
        const { simulator, topics, kafka, stream, start, state, accountId } = yield* streamUnderTest({
          historySize: 30,
          pollInterval: "50d",
        })
        yield* eventually(() => kafka.idsOn(topics.activities).length === 30, "the history")
        const before = kafka.latest(accountId)
        // 100 days with no activity (Okta keeps 90): two polls, each finding nothing new.
        for (const polls of [5, 6]) {
          yield* asleepFor(50 * 86_400_000, "caught up")
          yield* TestClock.adjust("50 days")
          yield* eventually(() => simulator.requests().length === polls, "a poll with nothing new")
        }
        // Then activity, whose page is fenced: the stream ends, and the shard starts it again from the stored
        // checkpoint (as the pipeline does) on a new producer.
        yield* asleepFor(50 * 86_400_000, "caught up")
        simulator.emit(2)
        kafka.inject({ kind: "fenced" })
        yield* TestClock.adjust("50 days")
        expectFenced(yield* Fiber.await(stream))
        const restarted = yield* start(kafka.latest(accountId))
        yield* eventually(() => kafka.idsOn(topics.activities).length >= 32, "the new activity")
        yield* realSleep(200)
        expect(kafka.idsOn(topics.activities)).toEqual(uuidsOf(simulator))
        const after = kafka.latest(accountId)
        expect(after?.gaps).toEqual([])
        expect((yield* state())?.gaps_total).toBe(0)
        // It went on from its own position: the filters it started with still stand.
        expect(after?.filters).toEqual(before?.filters)
        yield* Fiber.interrupt(restarted)
      }),
  )

  it.scoped("a Zoom sign-in listed after a newer one was published is published too, once", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now())
      const simulator = yield* startZoomSimulator({ historySize: 10, seed: 5, requestsPerSecond: 1_000 })
      const { topics, kafka, stream } = yield* streamOn(simulator, { pollInterval: "5m" })
      const history = simulator.events().length
      yield* eventually(() => kafka.idsOn(topics.activities).length === history, "the history")
      yield* asleepFor(300_000, "caught up")
      const start = yield* TestClock.currentTimeMillis
      const [newer] = emitAt(simulator, 1, start - 60_000)
      yield* TestClock.adjust("5 minutes")
      yield* asleepFor(300_000, "the poll after the newer row")
      // Only now does Zoom list a sign-in a minute older than the one above.
      const [late] = emitAt(simulator, 1, start - 120_000)
      // Polls until the settle window has passed both rows.
      const polls = Math.ceil(Duration.toMillis(REPORT_SETTLE) / 300_000) + 1
      for (let i = 0; i < polls; i++) {
        yield* asleepFor(300_000, "the next poll")
        yield* TestClock.adjust("5 minutes")
      }
      yield* eventually(() => kafka.idsOn(topics.activities).length >= history + 2, "both rows")
      const published = kafka.idsOn(topics.activities)
      expect(new Set(published).size).toBe(published.length)
      // Ids do not depend on the account.
      const idOf = (row: unknown) =>
        Either.getOrThrow(activities.toActivity(row as never, { id: "any" } as IntegratedAccount)).id
      expect(published.slice(-2)).toEqual([late, newer].map(idOf))
      yield* Fiber.interrupt(stream)
    }),
  )
})
