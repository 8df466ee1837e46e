import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Fiber, Layer, TestClock } from "effect"
import { Authorization } from "../../src/auth/Authorization.ts"
import { parseConfig } from "../../src/config/loadConfig.ts"
import { ProviderHttp } from "../../src/http/ProviderHttp.ts"
import { type AccountStreamSettings, runAccountStream } from "../../src/pipeline/AccountStream.ts"
import { ActivitySink } from "../../src/pipeline/ActivitySink.ts"
import { StreamHealth } from "../../src/pipeline/StreamHealth.ts"
import { providers } from "../../src/providers/registry.ts"
import { startBrowserStackSimulator } from "../../src/simulators/browserstack/BrowserStackSimulator.ts"
import { makeInMemoryKafka } from "../support/InMemoryKafka.ts"
import { pipelineConfigYaml } from "../support/pipelineConfig.ts"
import { asleepFor, eventually, realSleep } from "../support/testClock.ts"
import { uniqueTopics } from "../support/topics.ts"

// The contract's minPollInterval, on the TestClock: BrowserStack's budget (burst 5, then 15 a minute) sets a
// 15 s floor, so an account configured to poll every second still asks at most once every 15 s.

describe("BrowserStack's poll floor", () => {
  it.scoped("a 1 s poll interval is raised to 15 s", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(Date.now())
      const simulator = yield* startBrowserStackSimulator({ historySize: 10, seed: 11 })
      const topics = uniqueTopics()
      const loaded = parseConfig(
        "unit",
        pipelineConfigYaml({
          brokers: "127.0.0.1:9",
          topics,
          simulators: [simulator],
          pageSize: 10,
          pollInterval: "1s",
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
      const stream = yield* runAccountStream(
        entry.account,
        entry.config,
        undefined,
        publisher,
        settings,
      ).pipe(Effect.provide(context), Effect.fork)
      yield* eventually(() => kafka.idsOn(topics.activities).length === 10, "the history")
      yield* asleepFor(15_000, "the poll floor")
      const asked = simulator.requests().length
      yield* TestClock.adjust("14 seconds")
      yield* realSleep(300)
      expect(simulator.requests()).toHaveLength(asked)
      yield* TestClock.adjust("1 second")
      yield* eventually(() => simulator.requests().length === asked + 1, "the next poll")
      expect(simulator.requests().every((r) => r.status === 200)).toBe(true)
      yield* Fiber.interrupt(stream)
    }),
  )
})
