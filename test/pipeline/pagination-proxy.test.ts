import { Effect, Fiber } from "effect"
import { describe, expect, inject, it } from "vitest"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { type LinkRewrite, linkRewritingProxy, nextIsSelf, stripLink } from "../support/linkRewritingProxy.ts"
import { activityIds, readTopic } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")

/**
 * Runs the pipeline for a while against the simulator behind a link-rewriting proxy, then reads everything
 * the activities topic holds and the account's health.
 */
const runBehindProxy = (rewrite: LinkRewrite) =>
  Effect.gen(function* () {
    const simulator = yield* startOktaSimulator({ historySize: 100, seed: 13, rateLimit: 100_000 })
    const proxy = yield* linkRewritingProxy(simulator.baseUrl, rewrite)
    const { topics, context, health, accountIds } = yield* connectorUnderTest({
      simulators: [{ ...simulator, baseUrl: proxy.origin }],
      pollInterval: "200ms",
      pageSize: 40,
    })
    const pipeline = yield* startPipeline(context, { minBackoff: "100 millis", maxBackoff: "300 millis" })
    // Ten poll intervals and more: time enough to publish the same page over and over.
    yield* Effect.sleep("2 seconds")
    const published = yield* Effect.promise(() => readTopic(brokers, topics.activities, () => false, 2_000))
    const account = (yield* health.snapshot).find((a) => a.integrated_account_id === accountIds[0])
    yield* Fiber.interrupt(pipeline)
    const uuids = (simulator.events() as ReadonlyArray<{ uuid: string }>).map((e) => e.uuid)
    return { ids: activityIds(published), account, proxy, uuids }
  })

describe("pipeline: a provider answer that does not move the position publishes nothing", () => {
  it("next link stripped by a proxy: not a record published, the stream retrying with the reason", async () => {
    const { ids, account, proxy } = await Effect.runPromise(Effect.scoped(runBehindProxy(stripLink)))
    expect(ids).toEqual([])
    expect(account).toMatchObject({ state: "retrying", published_total: 0 })
    expect(account?.last_error).toMatch(/next/)
    // It kept asking (with backoff), and every answer had its link taken away. Answers, not requests: the
    // pipeline is interrupted with a request possibly still in flight.
    expect(proxy.answered()).toBeGreaterThan(2)
    expect(proxy.linksRewritten()).toBe(proxy.answered())
  }, 60_000)

  it("next link pointing back at the request: the first page once, then nothing again", async () => {
    const { ids, account, uuids } = await Effect.runPromise(Effect.scoped(runBehindProxy(nextIsSelf)))
    expect(ids).toEqual(uuids.slice(0, 40))
    expect(account).toMatchObject({ state: "retrying", published_total: 40 })
    expect(account?.last_error).toMatch(/okta/)
  }, 60_000)
})
