import { randomBytes, randomUUID } from "node:crypto"
import { Context, Effect, Either, Fiber, Layer } from "effect"
import { describe, expect, inject, it } from "vitest"
import { stringify } from "yaml"
import { ApiServer } from "../../src/api/HttpServer.ts"
import { RequestsInFlight } from "../../src/api/RequestsInFlight.ts"
import { providerClientsLayer } from "../../src/auth/providerClients.ts"
import { Config, parseConfig } from "../../src/config/loadConfig.ts"
import { CursorCodec } from "../../src/cursor/CursorCodec.ts"
import { IntegrationRegistry } from "../../src/providers/IntegrationRegistry.ts"
import { Integrations, registry } from "../../src/providers/registry.ts"
import { startThrowawaySimulator, throwaway } from "../fixtures/throwaway/index.ts"
import { connectorUnderTest, startPipeline } from "../support/connectorUnderTest.ts"
import { activityIds, readTopic } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")

interface Listed {
  readonly result: ReadonlyArray<{ readonly id: string }>
  readonly next_cursor: string | null
}

/** The one registry line a 14th provider takes, through the mechanism production uses. */
const withThrowaway = IntegrationRegistry.extend(registry, { throwaway })

describe("a 14th provider is one folder plus one registry line", () => {
  it("is accepted by the config, served by the endpoint page by page, and streamed into Kafka exactly once", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startThrowawaySimulator(25)
          const ids = () => (simulator.events() as Array<{ id: string }>).map((e) => e.id)

          // The endpoint.
          const apiKey = randomBytes(24).toString("base64url")
          const accountId = randomUUID()
          const yaml = stringify({
            server: {
              host: "127.0.0.1",
              port: 0,
              management: { port: 0 },
              api_keys: [apiKey],
              cursor_secret: randomBytes(32).toString("base64url"),
            },
            accounts: [
              {
                id: accountId,
                integration: "throwaway",
                base_url: simulator.baseUrl,
                credentials: simulator.credentials,
              },
            ],
          })
          expect(Either.isLeft(parseConfig("production.yaml", yaml, {}))).toBe(true)
          const loaded = Either.getOrThrow(parseConfig("extended.yaml", yaml, {}, withThrowaway))
          const server = yield* Layer.build(
            Layer.provide(
              ApiServer.layer,
              Layer.mergeAll(
                Config.layer(loaded),
                CursorCodec.layer(loaded.config.server.cursor_secret),
                RequestsInFlight.Default,
                providerClientsLayer(withThrowaway.adapters, { retryBase: "10 millis" }),
                Layer.succeed(Integrations, withThrowaway),
              ),
            ),
          )
          const url = Context.get(server, ApiServer).url
          const served: string[] = []
          let cursor: string | null | undefined
          for (let i = 0; i < 20 && cursor !== null; i++) {
            const query = new URLSearchParams({ integrated_account_id: accountId, limit: "10" })
            if (cursor) query.set("next_cursor", cursor)
            const answer = yield* Effect.promise(() =>
              fetch(new URL(`/unified/user-directory/activities?${query}`, url), {
                headers: { authorization: `Bearer ${apiKey}` },
              }).then(async (r) => ({ status: r.status, body: (await r.json()) as Listed })),
            )
            expect(answer.status).toBe(200)
            served.push(...answer.body.result.map((a) => a.id))
            cursor = answer.body.next_cursor
          }
          expect(served).toEqual(ids())
          const logins = yield* Effect.promise(() =>
            fetch(
              new URL(
                `/unified/user-directory/activities?integrated_account_id=${accountId}&action=login&limit=100`,
                url,
              ),
              { headers: { authorization: `Bearer ${apiKey}` } },
            ).then((r) => r.json() as Promise<Listed>),
          )
          // `action` is not pushed down by this stream: the shared post-filter applies it.
          expect(logins.result.map((a) => a.id)).toEqual(
            (simulator.events() as Array<{ id: string; what: string }>)
              .filter((e) => e.what === "login")
              .map((e) => e.id),
          )

          // The pipeline.
          const { topics, context } = yield* connectorUnderTest({
            simulators: [simulator],
            registry: withThrowaway,
          })
          const pipeline = yield* startPipeline(context)
          const history = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 25),
          )
          expect(activityIds(history)).toEqual(ids())
          simulator.emit(7)
          const live = yield* Effect.promise(() =>
            readTopic(brokers, topics.activities, (m) => m.length >= 32),
          )
          expect(activityIds(live)).toEqual(ids())
          yield* Fiber.interrupt(pipeline)
        }),
      ),
    )
  }, 120_000)
})
