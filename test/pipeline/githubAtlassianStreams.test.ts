import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Fiber, Layer, TestClock } from "effect"
import { Authorization } from "../../src/auth/Authorization.ts"
import { parseConfig } from "../../src/config/loadConfig.ts"
import { ProviderHttp } from "../../src/http/ProviderHttp.ts"
import { type AccountStreamSettings, runAccountStream } from "../../src/pipeline/AccountStream.ts"
import { ActivitySink } from "../../src/pipeline/ActivitySink.ts"
import { StreamHealth } from "../../src/pipeline/StreamHealth.ts"
import { providers } from "../../src/providers/registry.ts"
import { startAtlassianSimulator } from "../../src/simulators/atlassian/AtlassianSimulator.ts"
import { startGitHubSimulator } from "../../src/simulators/github/GitHubSimulator.ts"
import type { ProviderSimulator } from "../../src/simulators/ProviderSimulator.ts"
import { makeInMemoryKafka } from "../support/InMemoryKafka.ts"
import { pipelineConfigYaml } from "../support/pipelineConfig.ts"
import { asleepFor, eventually, realSleep } from "../support/testClock.ts"
import { uniqueTopics } from "../support/topics.ts"

// The account stream for GitHub and Atlassian against an in-memory Kafka side on the TestClock: the poll
// interval, GitHub's settle window and its poll floor happen only when the test moves the clock. The providers
// are their simulators over real loopback HTTP.

const streamOf = <S extends ProviderSimulator>(simulator: S, pollInterval: string) =>
  Effect.gen(function* () {
    const topics = uniqueTopics()
    const loaded = parseConfig(
      "unit",
      pipelineConfigYaml({
        brokers: "127.0.0.1:9",
        topics,
        simulators: [simulator],
        pageSize: 10,
        pollInterval,
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
      minBackoff: "1 second",
      maxBackoff: "1 second",
    }
    const context = yield* Layer.build(
      Layer.mergeAll(
        kafka.layer,
        StreamHealth.layer,
        Layer.provideMerge(Authorization.layer(providers), ProviderHttp.layer({ retryBase: "10 millis" })),
      ),
    )
    const publisher = yield* Context.get(context, ActivitySink).publisherFor(entry.account)
    const stream = yield* runAccountStream(entry.account, entry.config, undefined, publisher, settings).pipe(
      Effect.provide(context),
      Effect.fork,
    )
    return { topics, kafka, stream, account: entry.account }
  })

const MINUTE = 60_000

describe("GitHub and Atlassian account streams on an in-memory Kafka side", () => {
  it.scoped(
    "github: settled history exactly once, oldest first; polls no closer than 5 s whatever poll.interval says; new events once settled",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now())
        const sim = yield* startGitHubSimulator({ seed: 43, historySize: 35, historySpanMs: 6 * 60 * MINUTE })
        const { topics, kafka, stream, account } = yield* streamOf(sim, "1s")
        const timeOf = (e: unknown) => (e as { "@timestamp": number })["@timestamp"]
        const idOf = (e: unknown) => (e as { _document_id: string })._document_id
        const settled = (now: number) =>
          sim
            .events()
            .filter((e) => timeOf(e) < now - 5 * MINUTE)
            .sort((a, b) => timeOf(a) - timeOf(b) || (idOf(a) < idOf(b) ? -1 : 1))
            .map(idOf)
        const start = yield* TestClock.currentTimeMillis
        yield* eventually(() => kafka.idsOn(topics.activities).length >= settled(start).length, "the history")
        expect(kafka.idsOn(topics.activities)).toEqual(settled(start))
        yield* eventually(
          () => (kafka.latest(account.id)?.published_total ?? 0) === settled(start).length,
          "the checkpoint",
        )
        // A single stream keeps the bare position: the watermark.
        expect(kafka.latest(account.id)?.position).toMatchObject({
          since: expect.any(String),
          seen: expect.any(Array),
        })

        // poll.interval is 1 s; GitHub's floor is 5 s.
        yield* asleepFor(5_000, "the poll floor")
        const asked = sim.requests().length
        yield* TestClock.adjust("4 seconds")
        yield* realSleep(300)
        expect(sim.requests()).toHaveLength(asked)
        yield* TestClock.adjust("1 second")
        yield* eventually(() => sim.requests().length === asked + 1, "the next poll")

        // New events are published once they are five minutes old, and only then.
        sim.emit(4)
        const emitted = sim.events().slice(-4).map(idOf)
        yield* asleepFor(5_000, "the poll floor")
        yield* TestClock.adjust("5 seconds")
        yield* eventually(() => sim.requests().length === asked + 2, "a poll while they settle")
        yield* realSleep(200)
        expect(kafka.idsOn(topics.activities).some((id) => emitted.includes(id))).toBe(false)
        yield* asleepFor(5_000, "the poll floor")
        yield* TestClock.adjust("5 minutes")
        yield* eventually(
          () => kafka.idsOn(topics.activities).length >= settled(start).length + 4,
          "the new events",
        )
        const ids = kafka.idsOn(topics.activities)
        expect(ids.slice(-4).sort()).toEqual([...emitted].sort())
        expect(new Set(ids).size).toBe(ids.length)
        yield* Fiber.interrupt(stream)
      }),
  )

  it.scoped(
    "atlassian: history exactly once in processing order; a refused cursor mid-stream repeats nothing",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now())
        const sim = yield* startAtlassianSimulator({ seed: 47, historySize: 33 })
        const { topics, kafka, stream, account } = yield* streamOf(sim, "30s")
        const idOf = (e: unknown) => (e as { id: string }).id
        yield* eventually(() => kafka.idsOn(topics.activities).length >= 33, "the history")
        expect(kafka.idsOn(topics.activities)).toEqual(sim.events().map(idOf))
        yield* eventually(() => kafka.latest(account.id)?.published_total === 33, "the checkpoint")
        expect(kafka.latest(account.id)?.position).toMatchObject({
          token: expect.any(String),
          since: expect.any(String),
        })

        sim.expireCursors()
        sim.emit(5)
        // The clock moves on every try: a move made before the stream reached its poll sleep would be lost.
        yield* eventually(
          () => kafka.idsOn(topics.activities).length >= 38,
          "the new events",
          TestClock.adjust("30 seconds"),
        )
        yield* asleepFor(30_000, "the poll interval")
        yield* TestClock.adjust("30 seconds")
        yield* realSleep(300)
        const ids = kafka.idsOn(topics.activities)
        expect(ids).toEqual(sim.events().map(idOf))
        expect(sim.requests().some((r) => r.status === 400)).toBe(true)
        yield* Fiber.interrupt(stream)
      }),
  )
})
