import { randomBytes, randomUUID } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Layer } from "effect"
import { stringify } from "yaml"
import { ApiServer } from "../../src/api/HttpServer.ts"
import { RequestsInFlight } from "../../src/api/RequestsInFlight.ts"
import { Authorization } from "../../src/auth/Authorization.ts"
import { Config, parseConfig } from "../../src/config/loadConfig.ts"
import { CursorCodec } from "../../src/cursor/CursorCodec.ts"
import { ProviderHttp } from "../../src/http/ProviderHttp.ts"
import { providers } from "../../src/providers/registry.ts"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { type LinkRewrite, linkRewritingProxy, nextIsSelf, stripLink } from "../support/linkRewritingProxy.ts"
import { activitiesPath } from "./apiTestKit.ts"

/** The API server with one Okta account whose base_url is a proxy (rewriting `link`) in front of the simulator. */
const apiBehindProxy = (rewrite: LinkRewrite) =>
  Effect.gen(function* () {
    const okta = yield* startOktaSimulator({ seed: 7, historySize: 30, rateLimit: 10_000 })
    const proxy = yield* linkRewritingProxy(okta.baseUrl, rewrite)
    const accountId = randomUUID()
    const apiKey = randomBytes(24).toString("base64url")
    const loaded = parseConfig(
      "proxy-test.yaml",
      stringify({
        server: {
          host: "127.0.0.1",
          port: 0,
          management: { port: 0 },
          api_keys: [apiKey],
          cursor_secret: randomBytes(32).toString("base64url"),
        },
        accounts: [
          { id: accountId, integration: "okta", base_url: proxy.origin, credentials: okta.credentials },
        ],
      }),
      {},
    )
    if (Either.isLeft(loaded)) return yield* Effect.die(new Error(loaded.left.message))
    const dependencies = Layer.mergeAll(
      Config.layer(loaded.right),
      CursorCodec.layer(loaded.right.config.server.cursor_secret),
      RequestsInFlight.Default,
      Layer.provideMerge(
        Authorization.layer(providers),
        ProviderHttp.layer({ maxRetries: 1, retryBase: "10 millis", requestTimeout: "5 seconds" }),
      ),
    )
    const server = yield* Layer.build(Layer.provide(ApiServer.layer, dependencies))
    const list = (cursor?: string) =>
      Effect.promise(async () => {
        const url = new URL(activitiesPath, Context.get(server, ApiServer).url)
        url.searchParams.set("integrated_account_id", accountId)
        url.searchParams.set("limit", "10")
        if (cursor !== undefined) url.searchParams.set("next_cursor", cursor)
        const response = await fetch(url, { headers: { authorization: `Bearer ${apiKey}` } })
        // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are inspected field by field in assertions.
        return { status: response.status, body: (await response.json()) as any }
      })
    return { okta, proxy, list }
  })

describe("List Activities behind a proxy that breaks Okta's pagination", () => {
  it.scopedLive(
    "next link stripped: 502 remote_invalid_response, not records with a cursor that repeats",
    () =>
      Effect.gen(function* () {
        const { proxy, list } = yield* apiBehindProxy(stripLink)
        const answer = yield* list()
        expect(answer.status, JSON.stringify(answer.body)).toBe(502)
        expect(answer.body.error.code).toBe("remote_invalid_response")
        expect(answer.body.error.message).toMatch(/next/)
        expect(proxy.linksRewritten()).toBe(1)
      }),
  )

  it.scopedLive("next link pointing back at the same request: the page that does not move is a 502", () =>
    Effect.gen(function* () {
      const { okta, proxy, list } = yield* apiBehindProxy(nextIsSelf)
      // The first page cannot be judged (it has no position of its own to repeat); the one after it can.
      const first = yield* list()
      expect(first.status, JSON.stringify(first.body)).toBe(200)
      expect(first.body.result.map((a: { id: string }) => a.id)).toEqual(
        okta
          .events()
          .slice(0, 10)
          .map((e) => (e as { uuid: string }).uuid),
      )
      const again = yield* list(first.body.next_cursor)
      expect(again.status, JSON.stringify(again.body)).toBe(502)
      expect(again.body.error.code).toBe("remote_invalid_response")
      expect(proxy.linksRewritten()).toBe(2)
    }),
  )
})
