import { randomBytes, randomUUID } from "node:crypto"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { FetchHttpClient, HttpApiClient, HttpClient, HttpClientRequest } from "@effect/platform"
import { describe, expect, it, layer } from "@effect/vitest"
import { Context, type Duration, Effect, Either, Layer, TestClock, TestContext } from "effect"
import { stringify } from "yaml"
import { ConnectorApi } from "../../src/api/Api.ts"
import { HealthStatus } from "../../src/api/HealthStatus.ts"
import { ApiServer } from "../../src/api/HttpServer.ts"
import { RequestsInFlight } from "../../src/api/RequestsInFlight.ts"
import { Authorization } from "../../src/auth/Authorization.ts"
import { appLayers } from "../../src/cli/runConnector.ts"
import { Config, parseConfig } from "../../src/config/loadConfig.ts"
import { CursorCodec } from "../../src/cursor/CursorCodec.ts"
import { ProviderHttp } from "../../src/http/ProviderHttp.ts"
import { initialHealth, StreamHealth } from "../../src/pipeline/StreamHealth.ts"
import { providers } from "../../src/providers/registry.ts"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { activitiesPath, get, TestApiServer, testApiLayer } from "./apiTestKit.ts"

const typedClient = (url: string, apiKey: string) =>
  HttpApiClient.make(ConnectorApi, {
    baseUrl: url,
    transformClient: HttpClient.mapRequest(HttpClientRequest.bearerToken(apiKey)),
  }).pipe(Effect.provide(FetchHttpClient.layer))

layer(testApiLayer, { excludeTestServices: true })(
  "the API through its typed client, and the management listener",
  (it) => {
    it.effect("the client derived from the contract lists activities and decodes a declared error", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const client = yield* typedClient(api.url, api.apiKey)
        const page = yield* client.activities.listActivities({
          urlParams: { integrated_account_id: api.accountOf.okta, limit: 3 },
        })
        expect(page.result).toHaveLength(3)
        expect(typeof page.next_cursor).toBe("string")
        const missing = yield* Effect.flip(
          client.activities.listActivities({ urlParams: { integrated_account_id: randomUUID(), limit: 1 } }),
        )
        expect(missing).toMatchObject({ error: { code: "account_not_found" } })
      }),
    )

    it.effect("/healthz, /readyz, /metrics, /docs are on the management listener only", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const management = { ...api, url: api.managementUrl }
        expect(api.managementUrl).not.toBe(api.url)
        expect((yield* get(management, "/readyz", {}, { auth: false })).status).toBe(200)
        for (const path of ["/healthz", "/readyz", "/metrics", "/docs"]) {
          const onApi = yield* get(api, path, {}, { auth: false })
          expect(onApi.status, path).toBe(404)
          expect(onApi.body.error.code).toBe("not_found")
        }
        const docs = yield* Effect.promise(() => fetch(`${api.managementUrl}/docs`))
        expect(docs.status).toBe(200)
        expect(docs.headers.get("content-type")).toContain("text/html")
        const html = yield* Effect.promise(() => docs.text())
        expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href=["']https?:/)
      }),
    )

    it.effect("/metrics: provider request latency and status, and the runtime's own metrics", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        yield* get(api, activitiesPath, { integrated_account_id: api.accountOf.okta, limit: "1" })
        // The event-loop delay is reported once it has a few samples (every 100 ms).
        yield* Effect.sleep("1 second")
        const metrics = yield* Effect.promise(() => fetch(`${api.managementUrl}/metrics`))
        expect(metrics.headers.get("content-type")).toContain("text/plain")
        const text = yield* Effect.promise(() => metrics.text())
        expect(text).toMatch(
          new RegExp(
            `siem_connector_provider_request_duration_seconds_bucket\\{[^}]*integrated_account_id="${api.accountOf.okta}"`,
          ),
        )
        expect(text).toMatch(/siem_connector_provider_requests_total\{[^}]*status="200"[^}]*\} \d+/)
        expect(text).toMatch(/# TYPE siem_connector_provider_requests_total counter/)
        expect(text).toMatch(/^nodejs_eventloop_delay_\w+/m)
        expect(text).toMatch(/^v8js_memory_heap_used\w*/m)
      }),
    )
  },
)

/** A config of our own: tight limits, a provider that never answers, one with a small rate-limit window. */
const limitsLayer = Layer.scoped(
  TestApiServer,
  Effect.gen(function* () {
    // Accepts connections and never answers: a request to it stays in flight until the test is done.
    const hanging = createServer(() => {})
    yield* Effect.acquireRelease(
      Effect.async<void>((resume) => {
        hanging.listen(0, "127.0.0.1", () => resume(Effect.void))
      }),
      () =>
        Effect.async<void>((resume) => {
          hanging.closeAllConnections()
          hanging.close(() => resume(Effect.void))
        }),
    )
    const hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`
    const okta = yield* startOktaSimulator({ seed: 3, historySize: 20, rateLimit: 12 })
    const apiKey = randomBytes(24).toString("base64url")
    const ids = { slow: randomUUID(), otherSlow: randomUUID(), limited: randomUUID() }
    const loaded = parseConfig(
      "limits.yaml",
      stringify({
        server: {
          host: "127.0.0.1",
          port: 0,
          management: { port: 0 },
          api_keys: [apiKey],
          cursor_secret: randomBytes(32).toString("base64url"),
          max_concurrent_requests: 2,
          replay: { max_concurrent_per_account: 1, rate_limit_reserve: 10 },
        },
        accounts: [
          { id: ids.slow, integration: "okta", base_url: hangingUrl, credentials: { api_token: "00x" } },
          { id: ids.otherSlow, integration: "okta", base_url: hangingUrl, credentials: { api_token: "00x" } },
          { id: ids.limited, integration: "okta", base_url: okta.baseUrl, credentials: okta.credentials },
        ],
      }),
      {},
    )
    if (Either.isLeft(loaded)) return yield* Effect.die(new Error(loaded.left.message))
    const server = yield* Layer.build(
      Layer.provide(
        ApiServer.layer,
        Layer.mergeAll(
          Config.layer(loaded.right),
          CursorCodec.layer(loaded.right.config.server.cursor_secret),
          RequestsInFlight.Default,
          Layer.provideMerge(Authorization.layer(providers), ProviderHttp.layer({ maxRetries: 0 })),
        ),
      ),
    )
    const { url, managementUrl } = Context.get(server, ApiServer)
    return { url, managementUrl, apiKey, ids } as never
  }),
)

describe("limits", () => {
  layer(limitsLayer, { excludeTestServices: true })("server limits", (it) => {
    it.effect(
      "a second endpoint call to the same account is 429 rate_limited; past the request cap, 503 with Retry-After",
      () =>
        Effect.gen(function* () {
          const api = (yield* TestApiServer) as unknown as {
            url: string
            apiKey: string
            ids: { slow: string; otherSlow: string; limited: string }
          }
          const aborts = new AbortController()
          const call = (id: string) =>
            fetch(`${api.url}${activitiesPath}?integrated_account_id=${id}`, {
              headers: { authorization: `Bearer ${api.apiKey}` },
              signal: aborts.signal,
            }).catch(() => undefined)
          const codeOf = (answer: Response | undefined) =>
            Effect.promise(
              async () => ((await answer?.json()) as { error?: { code: string } } | undefined)?.error?.code,
            )
          const first = call(api.ids.slow)
          yield* Effect.sleep("300 millis")
          const sameAccount = yield* Effect.promise(() => call(api.ids.slow))
          expect(sameAccount?.status).toBe(429)
          expect(sameAccount?.headers.get("retry-after")).toBe("1")
          expect(yield* codeOf(sameAccount)).toBe("rate_limited")

          const second = call(api.ids.otherSlow)
          yield* Effect.sleep("300 millis")
          const overCap = yield* Effect.promise(() => call(api.ids.limited))
          expect(overCap?.status).toBe(503)
          expect(overCap?.headers.get("retry-after")).toBe("1")
          expect(yield* codeOf(overCap)).toBe("overloaded")
          // The clients of the hanging calls go away: their requests end, and their slots with them.
          aborts.abort()
          yield* Effect.promise(() => Promise.all([first, second]))
          yield* Effect.sleep("300 millis")
        }),
      { timeout: 30_000 },
    )

    it.effect(
      "the endpoint leaves the last requests of a rate-limit window to the live stream: 429 with Retry-After",
      () =>
        Effect.gen(function* () {
          const api = (yield* TestApiServer) as unknown as {
            url: string
            apiKey: string
            ids: { limited: string }
          }
          const statuses: number[] = []
          let retryAfter: string | null = null
          for (let i = 0; i < 4; i++) {
            const answer = yield* Effect.promise(() =>
              fetch(`${api.url}${activitiesPath}?integrated_account_id=${api.ids.limited}&limit=1`, {
                headers: { authorization: `Bearer ${api.apiKey}` },
              }),
            )
            statuses.push(answer.status)
            if (answer.status === 429) retryAfter = answer.headers.get("retry-after")
          }
          // A window of 12 with 10 kept for the stream: two calls go through, then the endpoint steps aside.
          expect(statuses).toEqual([200, 200, 429, 429])
          expect(Number(retryAfter)).toBeGreaterThanOrEqual(1)
        }),
    )
  })
})

describe("/healthz from the streams", () => {
  const configWith = (accounts: number) =>
    parseConfig(
      "health.yaml",
      stringify({
        server: {
          api_keys: ["k".repeat(16)],
          cursor_secret: "s".repeat(32),
          management: { unhealthy_after: "1m" },
        },
        kafka: { brokers: ["127.0.0.1:9"] },
        accounts: Array.from({ length: accounts }, () => ({
          id: randomUUID(),
          integration: "okta",
          base_url: "https://example.okta.com",
          credentials: { api_token: "00x" },
        })),
      }),
      {},
    )
  const health = (states: ReadonlyArray<"streaming" | "retrying" | "stopped">, lastPageAt?: string) =>
    Effect.gen(function* () {
      // The report reads the time from Effect's Clock; the pages' times here are the wall clock's.
      yield* TestClock.setTime(Date.now())
      const loaded = configWith(states.length)
      if (Either.isLeft(loaded)) return yield* Effect.die(new Error(loaded.left.message))
      return yield* Effect.gen(function* () {
        const streams = yield* StreamHealth
        const status = yield* HealthStatus
        const ready = yield* status.readiness
        expect(ready.ready).toBe(false)
        // Ready once this instance is a member of the shard group and every account it holds has started.
        yield* streams.setHeld({ group: "member", shards: [0], accounts: states.length })
        for (const [index, { account }] of loaded.right.accounts.entries()) {
          yield* streams.update(account.id, () => ({
            ...initialHealth(account),
            state: states[index] ?? "streaming",
            ...(lastPageAt === undefined ? {} : { last_page_at: lastPageAt }),
          }))
        }
        expect((yield* status.readiness).ready).toBe(true)
        return (yield* status.report).status
      }).pipe(Effect.provide(appLayers(loaded.right, ["127.0.0.1:9"])))
    }).pipe(Effect.provide(TestContext.TestContext))

  it.effect(
    "is down (503) when every account is stopped, or retrying past server.management.unhealthy_after",
    () =>
      Effect.gen(function* () {
        expect(yield* health(["stopped", "stopped"])).toBe("down")
        expect(yield* health(["retrying", "stopped"], new Date(Date.now() - 120_000).toISOString())).toBe(
          "down",
        )
        expect(yield* health(["retrying", "stopped"], new Date().toISOString())).toBe("degraded")
        expect(yield* health(["streaming", "stopped"])).toBe("degraded")
        expect(yield* health(["streaming", "streaming"])).toBe("ok")
      }),
  )

  it.effect(
    "is down (503) when, past server.management.unhealthy_after, it holds accounts no stream runs for, or is out of the shard group",
    () =>
      Effect.gen(function* () {
        const loaded = configWith(3)
        if (Either.isLeft(loaded)) return yield* Effect.die(new Error(loaded.left.message))
        const [first] = loaded.right.accounts
        if (first === undefined) return yield* Effect.die(new Error("no account"))
        const seen = yield* Effect.gen(function* () {
          const streams = yield* StreamHealth
          const status = yield* HealthStatus
          const statusAfter = (wait: Duration.DurationInput) =>
            Effect.zipRight(
              TestClock.adjust(wait),
              Effect.map(status.report, (report) => [report.status, report.accounts_not_streaming]),
            )
          // Out of the group (joining) from the start: down once it has lasted past the minute.
          const joining = [yield* statusAfter("30 seconds"), yield* statusAfter("31 seconds")]
          // Three accounts held, one streaming: the other two never start.
          yield* streams.setHeld({ group: "member", shards: [0], accounts: 3 })
          yield* streams.update(first.account.id, () => ({
            ...initialHealth(first.account),
            state: "streaming",
          }))
          const unstarted = [yield* statusAfter("59 seconds"), yield* statusAfter("2 seconds")]
          // The same shards, the same accounts: the time held is not reset, so it stays down.
          yield* streams.setHeld({ group: "member", shards: [0], accounts: 3 })
          const heldAgain = yield* statusAfter("0 seconds")
          // A rebalance reset the clock: rebalancing, then down once it lasts.
          yield* streams.setHeld({ group: "rebalancing", shards: [], accounts: 0 })
          const rebalancing = [yield* statusAfter("10 seconds"), yield* statusAfter("51 seconds")]
          return { joining, unstarted, heldAgain, rebalancing }
        }).pipe(Effect.provide(appLayers(loaded.right, ["127.0.0.1:9"])))
        expect(seen).toEqual({
          joining: [
            ["ok", 0],
            ["down", 0],
          ],
          unstarted: [
            ["degraded", 2],
            ["down", 2],
          ],
          heldAgain: ["down", 2],
          rebalancing: [
            ["ok", 0],
            ["down", 0],
          ],
        })
      }).pipe(Effect.provide(TestContext.TestContext)),
  )

  it.effect("the management listener answers 503 for down", () =>
    Effect.gen(function* () {
      const loaded = parseConfig(
        "down.yaml",
        stringify({
          server: {
            host: "127.0.0.1",
            port: 0,
            management: { port: 0 },
            api_keys: ["k".repeat(16)],
            cursor_secret: "s".repeat(32),
          },
          accounts: [],
        }),
        {},
      )
      if (Either.isLeft(loaded)) return yield* Effect.die(new Error(loaded.left.message))
      const down = Layer.succeed(HealthStatus, {
        report: Effect.succeed({ status: "down" as const }),
        readiness: Effect.succeed({ ready: false }),
        observe: Effect.void,
      })
      const answers = yield* Effect.gen(function* () {
        const { managementUrl } = yield* ApiServer
        const healthz = yield* Effect.promise(() => fetch(`${managementUrl}/healthz`))
        const readyz = yield* Effect.promise(() => fetch(`${managementUrl}/readyz`))
        return [healthz.status, readyz.status]
      }).pipe(
        Effect.provide(
          Layer.provide(
            ApiServer.layer,
            Layer.mergeAll(
              Config.layer(loaded.right),
              CursorCodec.layer(loaded.right.config.server.cursor_secret),
              RequestsInFlight.Default,
              Layer.provideMerge(Authorization.layer(providers), ProviderHttp.layer()),
              down,
            ),
          ),
        ),
        Effect.scoped,
      )
      expect(answers).toEqual([503, 503])
    }),
  )
})
