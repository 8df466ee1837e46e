import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { accountFor, fetchPage, HttpLive, simulator } from "./oktaTestKit.ts"

/** Timers may wake a millisecond or two before the instant they were set for. */
const TIMER_SLACK_MS = 20

describe("okta fetchPage under rate limits and failures", () => {
  it.scopedLive(
    "holds the next request until the reset once X-Rate-Limit-Remaining reaches 0, so no 429 happens",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 5, rateLimit: 3, rateLimitWindowMs: 2000 })
        const account = accountFor(sim)
        const fetch = fetchPage({ account, filters: {}, position: undefined, limit: 10 })
        // Spend the window's quota (a window boundary passing mid-way only means a few more calls).
        for (let i = 0; i < 10 && sim.requests().at(-1)?.rateLimitRemaining !== 0; i++) yield* fetch
        const exhausted = sim.requests().at(-1)
        expect(exhausted?.rateLimitRemaining).toBe(0)

        const page = yield* fetch
        expect(page.records).toHaveLength(5)
        const after = sim.requests().at(-1)
        expect(after?.status).toBe(200)
        expect(after?.receivedAt).toBeGreaterThanOrEqual(
          (exhausted?.rateLimitReset ?? 0) * 1000 - TIMER_SLACK_MS,
        )
        expect(sim.requests().filter((r) => r.status === 429)).toEqual([])
      }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive("retries a 500 and returns the page", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 4 })
      sim.forceServerError(2)
      const page = yield* fetchPage({
        account: accountFor(sim),
        filters: {},
        position: undefined,
        limit: 10,
      })
      expect(page.records).toHaveLength(4)
      expect(sim.requests().map((r) => r.status)).toEqual([500, 500, 200])
    }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive("gives up on a 500 that persists, as ProviderUnavailable with Okta's code", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 4 })
      sim.forceServerError(100)
      const error = yield* Effect.flip(
        fetchPage({ account: accountFor(sim), filters: {}, position: undefined, limit: 10 }),
      )
      expect(error._tag).toBe("ProviderUnavailable")
      expect(error.message).toContain("E0000009")
      // The first attempt plus ProviderHttp's default 4 retries.
      expect(sim.requests()).toHaveLength(5)
    }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive("credentials without a usable value never become an account, so nothing is sent", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 4 })
      // Decoded once, at config load: the adapter only ever sees credentials that decoded.
      expect(() => accountFor(sim, { api_token: "" })).toThrow(/Expected a non empty string/)
      expect(sim.requests()).toEqual([])
    }),
  )

  it.scopedLive("an invalid SCIM filter comes back as ProviderRejected with Okta's E0000053", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 4 })
      const account = accountFor(sim)
      for (const filter of [
        'published gt "2026-01-01T00:00:00Z"',
        'eventType eqq "user.session.start"',
        'nosuchfield eq "x"',
      ]) {
        const query = new URLSearchParams({ sortOrder: "ASCENDING", limit: "10", filter })
        const error = yield* Effect.flip(
          fetchPage({ account, filters: {}, position: { next: `/api/v1/logs?${query}` }, limit: 10 }),
        )
        expect(error).toMatchObject({ _tag: "ProviderRejected", status: 400, code: "E0000053" })
      }
      expect(sim.requests().map((r) => r.status)).toEqual([400, 400, 400])
    }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive("a since beyond Okta's 180 days is ProviderHistoryExpired", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 4 })
      const position = {
        next: "/api/v1/logs?since=2001-01-01T00%3A00%3A00.000Z&sortOrder=ASCENDING&limit=10",
      }
      const error = yield* Effect.flip(
        fetchPage({ account: accountFor(sim), filters: {}, position, limit: 10 }),
      )
      expect(error._tag).toBe("ProviderHistoryExpired")
      expect(error.message).toContain("180 days")
    }).pipe(Effect.provide(HttpLive)),
  )
})
