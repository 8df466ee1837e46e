import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope, TestClock } from "effect"
import { RateLimitHeaders, rateLimitWindow } from "../../../src/simulators/kit/rateLimitWindow.ts"
import { serveSimulator } from "../../../src/simulators/kit/serveSimulator.ts"

const send = (url: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, headers: response.headers, text: await response.text() }
  })

const refused = (url: string) =>
  Effect.promise(() =>
    fetch(url).then(
      () => false,
      () => true,
    ),
  )

describe("serveSimulator", () => {
  it.scopedLive("listens on loopback for the life of its scope, on an ephemeral or a given port", () =>
    Effect.gen(function* () {
      const scope = yield* Scope.make()
      const server = yield* serveSimulator({ handle: () => ({ status: 204 }) }).pipe(Scope.extend(scope))
      expect(server.origin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      expect((yield* send(`${server.origin}/`)).status).toBe(204)
      yield* Scope.close(scope, Exit.void)
      expect(yield* refused(`${server.origin}/`)).toBe(true)

      // The port is free again once the scope closed.
      const port = Number(new URL(server.origin).port)
      const again = yield* serveSimulator({ port, handle: () => ({ status: 200, body: [] }) })
      expect(again.origin).toBe(server.origin)
      expect((yield* send(`${again.origin}/`)).text).toBe("[]")
    }),
  )

  it.scopedLive("writes JSON replies with their headers and logs each exchange without its credentials", () =>
    Effect.gen(function* () {
      const server = yield* serveSimulator<{ readonly items: number }>({
        contentType: "application/json;charset=UTF-8",
        everyResponse: () => ({ "X-Request-Id": "req-1" }),
        handle: (request) =>
          request.url.pathname === "/items"
            ? {
                status: 201,
                body: { echoed: request.body, method: request.method },
                headers: { Link: ['<a>; rel="self"', '<b>; rel="next"'] },
                note: { items: 2 },
              }
            : { status: 404, body: { message: "Not Found" } },
      })
      const created = yield* send(`${server.origin}/items?page=2&q=x`, {
        method: "POST",
        headers: { authorization: "Bearer s3cret-token" },
        body: "hello",
      })
      expect(created.status).toBe(201)
      expect(JSON.parse(created.text)).toEqual({ echoed: "hello", method: "POST" })
      expect(created.headers.get("content-type")).toBe("application/json;charset=UTF-8")
      expect(created.headers.get("x-request-id")).toBe("req-1")
      expect(created.headers.get("link")).toBe('<a>; rel="self", <b>; rel="next"')
      expect((yield* send(`${server.origin}/nothing`)).status).toBe(404)

      expect(server.requests()).toEqual([
        {
          method: "POST",
          path: "/items",
          query: { page: "2", q: "x" },
          authScheme: "Bearer",
          status: 201,
          receivedAt: expect.any(Number),
          note: { items: 2 },
        },
        {
          method: "GET",
          path: "/nothing",
          query: {},
          authScheme: undefined,
          status: 404,
          receivedAt: expect.any(Number),
        },
      ])
      expect(JSON.stringify(server.requests())).not.toContain("s3cret")
    }),
  )

  it.scopedLive("a request over the rate limit gets the provider's 429 and never reaches the handler", () =>
    Effect.gen(function* () {
      let handled = 0
      const server = yield* serveSimulator({
        rateLimit: rateLimitWindow({
          limit: 1,
          windowMs: 3_600_000,
          headers: RateLimitHeaders.xRateLimit,
          refusalBody: () => ({ message: "API rate limit exceeded" }),
          retryAfter: true,
        }),
        handle: () => {
          handled++
          return { status: 200, body: {} }
        },
      })
      const first = yield* send(`${server.origin}/`)
      const second = yield* send(`${server.origin}/`)
      expect([first.status, second.status, handled]).toEqual([200, 429, 1])
      expect(first.headers.get("x-ratelimit-remaining")).toBe("0")
      expect(JSON.parse(second.text)).toEqual({ message: "API rate limit exceeded" })
      expect(Number(second.headers.get("retry-after"))).toBeGreaterThan(0)
      expect(server.requests().map((r) => [r.status, r.rateLimit?.remaining])).toEqual([
        [200, 0],
        [429, 0],
      ])
    }),
  )

  it.scopedLive("a handler that throws is a 500 naming the failure, not a hung request", () =>
    Effect.gen(function* () {
      const server = yield* serveSimulator({
        handle: () => {
          throw new Error("boom")
        },
      })
      const answer = yield* send(`${server.origin}/`)
      expect([answer.status, JSON.parse(answer.text).message]).toEqual([500, "Error: boom"])
    }),
  )

  // The TestClock of it.scoped stands in for the provider's time.
  it.scoped("stamps requests and rate-limit windows with the Effect Clock it starts under", () =>
    Effect.gen(function* () {
      const at = Date.parse("2030-01-01T00:00:30.000Z")
      yield* TestClock.setTime(at)
      const server = yield* serveSimulator({
        rateLimit: rateLimitWindow({
          limit: 10,
          windowMs: 60_000,
          headers: RateLimitHeaders.okta,
          refusalBody: () => ({}),
        }),
        handle: () => ({ status: 200, body: [] }),
      })
      const answer = yield* send(`${server.origin}/`)
      expect(answer.headers.get("x-rate-limit-reset")).toBe(
        String(Date.parse("2030-01-01T00:01:00.000Z") / 1000),
      )
      expect(server.requests()[0]?.receivedAt).toBe(at)
    }),
  )
})
