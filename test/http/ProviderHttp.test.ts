import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Fiber, Layer, Redacted, TestClock } from "effect"
import { appLayers } from "../../src/cli/runConnector.ts"
import { parseConfig } from "../../src/config/loadConfig.ts"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { ProviderHttp } from "../../src/http/ProviderHttp.ts"
import { foreignHost } from "../providers/okta/oktaTestKit.ts"
import { eventually as eventuallyOnTestClock, sleepingFor } from "../support/testClock.ts"

const HttpLive = ProviderHttp.layer({ retryBase: "10 millis" })

const accountOn = (origin: string): IntegratedAccount => ({
  id: "pinning-test",
  integration: "zoom",
  baseUrl: new URL(origin),
  credentials: { _tag: "Bearer", token: Redacted.make("unused") },
  settings: {},
})

const tokenRequest = (account: IntegratedAccount, url: string, origin: string) =>
  Effect.flatMap(ProviderHttp, (http) =>
    http.send({
      account,
      url: new URL(url),
      origin: new URL(origin),
      method: "POST",
      headers: { authorization: "Basic Y2xpZW50OnNlY3JldA==" },
      body: "grant_type=account_credentials&account_id=x",
    }),
  )

describe("ProviderHttp origin pinning", () => {
  it.scopedLive("a token request to another host than its pinned origin is refused and reaches nobody", () =>
    Effect.gen(function* () {
      const api = yield* foreignHost
      const tokenHost = yield* foreignHost
      const elsewhere = yield* foreignHost
      const account = accountOn(api.origin)
      const error = yield* Effect.flip(
        tokenRequest(account, `${elsewhere.origin}/oauth/token`, `${tokenHost.origin}/oauth/token`),
      )
      expect(error).toMatchObject({ _tag: "ForeignHostRefused", host: elsewhere.host })
      expect(error.message).toContain(`pinned to ${tokenHost.host}`)
      expect(error.message).not.toContain("Y2xpZW50OnNlY3JldA")
      // Not even the account's own origin is a fallback for a pinned request.
      const toBaseUrl = yield* Effect.flip(
        tokenRequest(account, `${api.origin}/oauth/token`, `${tokenHost.origin}/oauth/token`),
      )
      expect(toBaseUrl).toMatchObject({ _tag: "ForeignHostRefused", host: api.host })
      expect([api.hits(), tokenHost.hits(), elsewhere.hits()]).toEqual([0, 0, 0])
    }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive("a pinned request reaches its own origin; unpinned ones still only the account's", () =>
    Effect.gen(function* () {
      const api = yield* foreignHost
      const tokenHost = yield* foreignHost
      const account = accountOn(api.origin)
      yield* tokenRequest(account, `${tokenHost.origin}/oauth/token`, tokenHost.origin)
      expect(tokenHost.hits()).toBe(1)

      const http = yield* ProviderHttp
      const unpinned = yield* Effect.flip(
        http.send({ account, url: new URL(`${tokenHost.origin}/v2/users/me`), headers: {} }),
      )
      expect(unpinned).toMatchObject({ _tag: "ForeignHostRefused", host: tokenHost.host })
      yield* http.send({ account, url: new URL(`${api.origin}/v2/users/me`), headers: {} })
      expect([api.hits(), tokenHost.hits()]).toEqual([1, 1])
    }).pipe(Effect.provide(HttpLive)),
  )
})

/** A loopback server answering with `handle`; counts requests, connections and connections closed. */
const loopbackServer = (handle: (req: IncomingMessage, res: ServerResponse) => void) =>
  Effect.acquireRelease(
    Effect.async<{
      origin: string
      server: Server
      hits: () => number
      connections: () => number
      closedConnections: () => number
    }>((resume) => {
      let hits = 0
      let connections = 0
      let closed = 0
      const server = createServer((req, res) => {
        hits++
        handle(req, res)
      })
      server.on("connection", (socket) => {
        connections++
        socket.on("close", () => closed++)
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        const port = typeof address === "object" && address ? address.port : 0
        resume(
          Effect.succeed({
            origin: `http://127.0.0.1:${port}`,
            server,
            hits: () => hits,
            connections: () => connections,
            closedConnections: () => closed,
          }),
        )
      })
    }),
    ({ server }) =>
      Effect.async<void>((resume) => {
        server.closeAllConnections()
        server.close(() => resume(Effect.void))
      }),
  )

/** Polls `condition` until it holds; fails the test if it does not within `timeoutMs`. */
const eventually = (condition: () => boolean, what: string, timeoutMs = 2_000) =>
  Effect.gen(function* () {
    const deadline = Date.now() + timeoutMs
    while (!condition()) {
      if (Date.now() > deadline) return yield* Effect.die(new Error(`not within ${timeoutMs}ms: ${what}`))
      yield* Effect.sleep("10 millis")
    }
  })

const CAP = 64 * 1024
const secret = "Bearer not-to-be-echoed-0123456789"
/** A small cap, one quick retry (so a retry would show), and a timeout far above what the cap needs. */
const HttpCapped = ProviderHttp.layer({
  maxResponseBytes: CAP,
  maxRetries: 1,
  retryBase: "10 millis",
  requestTimeout: "5 seconds",
})
const get = (origin: string, path = "/v2/report/activities") =>
  Effect.flatMap(ProviderHttp, (http) =>
    http.send({ account: accountOn(origin), url: new URL(path, origin), headers: { authorization: secret } }),
  )
/** A JSON array holding one string, exactly `bytes` long when serialised. */
const jsonOfSize = (bytes: number) => JSON.stringify(["x".repeat(bytes - 4)])

describe("ProviderHttp response size cap", () => {
  it.scopedLive(
    "a declared content-length over the cap is refused before the body, once, and its connection closed",
    () =>
      Effect.gen(function* () {
        const provider = yield* loopbackServer((req, res) => {
          if (req.url === "/small") return res.end("[]")
          // Headers only: a client that waits for this body waits until its timeout.
          res.writeHead(200, {
            "content-type": "application/json",
            "content-length": String(10 * 1024 * 1024),
          })
          res.flushHeaders()
        })
        const started = Date.now()
        const error = yield* Effect.flip(get(provider.origin))
        expect(Date.now() - started).toBeLessThan(1_000)
        expect(error).toMatchObject({ _tag: "ProviderBadResponse", integration: "zoom" })
        expect(error.message).toContain(String(CAP))
        expect(error.message).not.toContain("not-to-be-echoed")
        expect(provider.hits()).toBe(1)
        yield* eventually(() => provider.closedConnections() === 1, "the refused connection is closed")
        // The next request gets a fresh connection, not the one left mid-body.
        expect(yield* get(provider.origin, "/small")).toMatchObject({ status: 200, body: [] })
        expect(provider.connections()).toBe(2)
      }).pipe(Effect.provide(HttpCapped)),
  )

  it.scopedLive("an endless chunked body is cut off soon after the cap, long before the timeout", () =>
    Effect.gen(function* () {
      const safetyLimit = 64 * 1024 * 1024
      const chunk = Buffer.alloc(16 * 1024, "a")
      let written = 0
      const provider = yield* loopbackServer((_req, res) => {
        res.writeHead(200, { "content-type": "application/json" })
        res.write('["')
        // As fast as the client reads, until it hangs up (or the safety limit, should it never).
        const pump = () => {
          while (written < safetyLimit && !res.destroyed) {
            written += chunk.length
            if (!res.write(chunk)) return void res.once("drain", pump)
          }
        }
        pump()
      })
      const started = Date.now()
      const error = yield* Effect.flip(get(provider.origin))
      expect(Date.now() - started).toBeLessThan(2_000)
      expect(error).toMatchObject({ _tag: "ProviderBadResponse", integration: "zoom" })
      expect(error.message).toContain(String(CAP))
      expect(provider.hits()).toBe(1)
      yield* eventually(() => provider.closedConnections() === 1, "the connection is closed")
      // What the socket buffers took in before the client hung up, not the endless rest.
      expect(written).toBeLessThan(safetyLimit / 4)
    }).pipe(Effect.provide(HttpCapped)),
  )

  it.scopedLive("bodies up to the cap are read, declared or chunked", () =>
    Effect.gen(function* () {
      const provider = yield* loopbackServer((req, res) => {
        res.setHeader("content-type", "application/json")
        if (req.url === "/declared") return res.end(jsonOfSize(CAP - 1))
        const body = jsonOfSize(CAP)
        res.write(body.slice(0, 1000))
        res.end(body.slice(1000))
      })
      const declared = yield* get(provider.origin, "/declared")
      expect(declared.headers["content-length"]).toBe(String(CAP - 1))
      expect(JSON.stringify(declared.body)).toHaveLength(CAP - 1)
      const chunked = yield* get(provider.origin, "/chunked")
      expect(chunked.headers["transfer-encoding"]).toBe("chunked")
      expect(JSON.stringify(chunked.body)).toHaveLength(CAP)
    }).pipe(Effect.provide(HttpCapped)),
  )

  // A declared length within the cap is read whole, the rest counted chunk by chunk: the two reads must not
  // differ in what they make of the same bytes, nor in how a body cut short fails.
  it.scopedLive("a declared body and a chunked one read the same: byte-order mark, malformed UTF-8", () =>
    Effect.gen(function* () {
      // A BOM, a malformed sequence, a lone continuation byte and a cut-off 4-byte character inside a string.
      const bytes = Buffer.concat([
        Buffer.from([0xef, 0xbb, 0xbf]),
        Buffer.from('{"a":"'),
        Buffer.from([0xc0, 0xaf, 0x80, 0xf0, 0x9f, 0x98, 0x41, 0xe2, 0x82, 0xac]),
        Buffer.from('"}'),
      ])
      const provider = yield* loopbackServer((req, res) => {
        res.setHeader("content-type", "application/json")
        if (req.url === "/declared") return res.end(bytes)
        res.write(bytes.subarray(0, 5))
        res.end(bytes.subarray(5))
      })
      const declared = yield* get(provider.origin, "/declared")
      const chunked = yield* get(provider.origin, "/chunked")
      expect(declared.headers["content-length"]).toBe(String(bytes.length))
      expect(chunked.headers["transfer-encoding"]).toBe("chunked")
      expect(declared.body).toEqual(chunked.body)
      expect(declared.body).toEqual(JSON.parse(new TextDecoder().decode(bytes)))
    }).pipe(Effect.provide(HttpCapped)),
  )

  it.scopedLive("a declared body and a chunked one cut short fail alike", () =>
    Effect.gen(function* () {
      const body = jsonOfSize(8 * 1024)
      const provider = yield* loopbackServer((req, res) => {
        res.writeHead(200, {
          "content-type": "application/json",
          ...(req.url === "/declared" ? { "content-length": String(body.length) } : {}),
        })
        res.write(body.slice(0, 1000), () => res.socket?.destroy())
      })
      const declared = yield* Effect.flip(get(provider.origin, "/declared"))
      const chunked = yield* Effect.flip(get(provider.origin, "/chunked"))
      expect(declared).toMatchObject({ _tag: "ProviderUnavailable", integration: "zoom" })
      expect(declared.message).toBe(chunked.message)
    }).pipe(Effect.provide(HttpCapped)),
  )

  it.scopedLive(
    "the app's ProviderHttp takes its cap from provider.max_response_bytes, 32 MiB by default",
    () =>
      Effect.gen(function* () {
        const provider = yield* loopbackServer((_req, res) => {
          res.setHeader("content-type", "application/json")
          res.end(jsonOfSize(2048))
        })
        const appHttp = (extra: string) =>
          Effect.gen(function* () {
            const loaded = yield* parseConfig(
              "cap.yaml",
              `server:\n  api_keys: ["an-api-key-of-sufficient-length"]\n  cursor_secret: "a-cursor-secret-that-is-at-least-32-characters"\n${extra}log_level: error\naccounts: []\n`,
              {},
            )
            // No broker is reached: the Kafka client connects only when a producer or admin is used.
            return Context.get(yield* Layer.build(appLayers(loaded, ["127.0.0.1:9"])), ProviderHttp)
          })
        const capped = yield* appHttp("provider: { max_response_bytes: 1024 }\n")
        const refused = yield* Effect.flip(
          capped.send({ account: accountOn(provider.origin), url: new URL(provider.origin), headers: {} }),
        )
        expect(refused).toMatchObject({ _tag: "ProviderBadResponse" })
        expect(refused.message).toContain("1024")
        const byDefault = yield* appHttp("")
        const read = yield* byDefault.send({
          account: accountOn(provider.origin),
          url: new URL(provider.origin),
          headers: {},
        })
        expect(JSON.stringify(read.body)).toHaveLength(2048)
      }),
  )
})

describe("ProviderHttp rate-limit budget shared by concurrent requests", () => {
  it.scopedLive(
    "requests in flight together count against the last reported remaining: HubSpot's rolling limit is never exceeded",
    () =>
      Effect.gen(function* () {
        const limit = 2
        // HubSpot's is 10 s; a short window spends less real time on the five this takes, and the in-flight
        // requests still overlap (each answer takes 20 ms).
        const windowMs = 250
        let window = -1
        let used = 0
        let refused = 0
        // HubSpot's headers: the remaining quota and the window's length, no reset.
        const provider = yield* loopbackServer((_req, res) => {
          const index = Math.floor(Date.now() / windowMs)
          if (index !== window) {
            window = index
            used = 0
          }
          used++
          const headers = {
            "content-type": "application/json",
            "x-hubspot-ratelimit-max": String(limit),
            "x-hubspot-ratelimit-remaining": String(Math.max(0, limit - used)),
            "x-hubspot-ratelimit-interval-milliseconds": String(windowMs),
          }
          if (used > limit) refused++
          res.writeHead(used > limit ? 429 : 200, headers)
          // Slow enough that concurrent requests overlap.
          setTimeout(() => res.end(used > limit ? '{"errorType":"RATE_LIMIT"}' : "[]"), 20)
        })
        yield* get(provider.origin)
        // As an account's streams send: concurrently, never more at once than a window allows.
        yield* Effect.forEach(Array.from({ length: 8 }), () => get(provider.origin), { concurrency: 2 })
        expect(provider.hits()).toBe(9)
        expect(refused).toBe(0)
      }).pipe(Effect.provide(HttpCapped)),
    20_000,
  )
})

describe("ProviderHttp rate limits answered with 403 (GitHub)", () => {
  const answering = (answers: Array<{ status: number; headers?: Record<string, string> }>) =>
    loopbackServer((_req, res) => {
      const answer = answers.shift() ?? { status: 200 }
      res.writeHead(answer.status, { "content-type": "application/json", ...answer.headers })
      res.end(answer.status === 200 ? "[]" : JSON.stringify({ message: "refused" }))
    })

  // On the TestClock: the wait is seen, not spent. Longer than a request's own timeout (30 s), whose sleep
  // cannot then pass for this one.
  it.scoped("a 403 with Retry-After (secondary limit) is waited out and retried", () =>
    Effect.gen(function* () {
      const provider = yield* answering([{ status: 403, headers: { "retry-after": "45" } }])
      const sending = yield* Effect.fork(get(provider.origin))
      yield* sleepingFor(45_000, "the wait the 403's Retry-After asks")
      expect(provider.hits()).toBe(1)
      yield* TestClock.adjust("45 seconds")
      yield* eventuallyOnTestClock(
        () => sending.unsafePoll() !== null,
        "the retry",
        TestClock.adjust("1 second"),
      )
      expect(yield* Fiber.join(sending)).toMatchObject({ status: 200, body: [] })
      expect(provider.hits()).toBe(2)
    }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive(
    "a 403 saying the quota is exhausted (primary limit) is ProviderRateLimited until the reset, and the next request is not sent before it",
    () =>
      Effect.gen(function* () {
        const reset = String(Math.ceil(Date.now() / 1000) + 3_600)
        const provider = yield* answering([
          { status: 403, headers: { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset } },
        ])
        const error = yield* Effect.flip(get(provider.origin))
        expect(error).toMatchObject({ _tag: "ProviderRateLimited", integration: "zoom" })
        expect(error._tag === "ProviderRateLimited" && error.retryAfterMs).toBeGreaterThan(3_500_000)
        const again = yield* Effect.flip(get(provider.origin))
        expect(again).toMatchObject({ _tag: "ProviderRateLimited" })
        expect(provider.hits()).toBe(1)
      }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive("a 403 without rate-limit headers saying so is a refusal, never retried", () =>
    Effect.gen(function* () {
      const provider = yield* answering([
        { status: 403, headers: { "x-ratelimit-remaining": "1749", "x-ratelimit-reset": "9999999999" } },
      ])
      expect(yield* Effect.flip(get(provider.origin))).toMatchObject({
        _tag: "ProviderUnauthorized",
        status: 403,
      })
      expect(provider.hits()).toBe(1)
    }).pipe(Effect.provide(HttpLive)),
  )
})

describe("ProviderHttp waits a provider announced: long Retry-After and daily allocations", () => {
  const withHeaders = (headers: () => Record<string, string>, status: () => number = () => 200) =>
    loopbackServer((_req, res) => {
      res.writeHead(status(), { "content-type": "application/json", ...headers() })
      res.end(status() === 200 ? "[]" : JSON.stringify({ errors: [{ message: "slow down" }] }))
    })

  it.scopedLive(
    "a 429 whose Retry-After is longer than the connector waits: no request of the account goes before it",
    () =>
      Effect.gen(function* () {
        // Retry-After only (Asana, Dropbox, Figma): no quota headers to remember it by.
        const provider = yield* withHeaders(
          () => ({ "retry-after": "3600" }),
          () => 429,
        )
        const first = yield* Effect.flip(get(provider.origin))
        expect(first).toMatchObject({ _tag: "ProviderRateLimited" })
        expect(first._tag === "ProviderRateLimited" && first.retryAfterMs).toBe(3_600_000)
        const second = yield* Effect.flip(get(provider.origin))
        expect(second._tag === "ProviderRateLimited" && second.retryAfterMs).toBeGreaterThan(3_590_000)
        expect(provider.hits()).toBe(1)
      }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive(
    "Salesforce's Sforce-Limit-Info at the connector's share of the org's allocation: the account pauses, then probes once",
    () =>
      Effect.gen(function* () {
        let used = 78
        const provider = yield* withHeaders(() => ({ "sforce-limit-info": `api-usage=${++used}/100` }))
        // A pause longer than the longest wait ProviderHttp sits out itself, as an hour is in production.
        const http = ProviderHttp.layer({
          retryBase: "10 millis",
          maxRateLimitWait: "100 millis",
          dailyPause: "400 millis",
        })
        yield* Effect.gen(function* () {
          // 79 of 100 used: under the 80 % share, the next request goes.
          yield* get(provider.origin)
          // 80 of 100: the share is spent; this answer still arrives, the next request does not leave.
          expect(yield* get(provider.origin)).toMatchObject({ status: 200 })
          const paused = yield* Effect.flip(get(provider.origin))
          expect(paused).toMatchObject({ _tag: "ProviderRateLimited" })
          expect(paused.message).toContain("80 of 100 used")
          expect(paused.message).toContain("provider.daily_allocation_share 0.8")
          expect(provider.hits()).toBe(2)
          // After the pause one request is sent; it reports 81 of 100, so the account pauses again.
          yield* Effect.sleep("450 millis")
          yield* get(provider.origin)
          expect(provider.hits()).toBe(3)
          expect(yield* Effect.flip(get(provider.origin))).toMatchObject({ _tag: "ProviderRateLimited" })
          expect(provider.hits()).toBe(3)
        }).pipe(Effect.provide(http))
      }),
  )

  it.scopedLive("HubSpot's daily headers count the same way; a configured share of 1 spends all of it", () =>
    Effect.gen(function* () {
      let remaining = 3
      const provider = yield* withHeaders(() => ({
        "x-hubspot-ratelimit-daily": "10",
        "x-hubspot-ratelimit-daily-remaining": String(--remaining),
      }))
      yield* Effect.gen(function* () {
        yield* get(provider.origin) // 8 of 10 used
        yield* get(provider.origin) // 9 of 10
        yield* get(provider.origin) // 10 of 10: spent
        expect(yield* Effect.flip(get(provider.origin))).toMatchObject({ _tag: "ProviderRateLimited" })
        expect(provider.hits()).toBe(3)
      }).pipe(Effect.provide(ProviderHttp.layer({ retryBase: "10 millis", dailyAllocationShare: 1 })))
    }),
  )
})
