import { describe, expect, it } from "vitest"
import { readRateLimit, retryAfterMs } from "../../../src/http/rateLimitHeaders.ts"
import { RateLimitHeaders, rateLimitWindow } from "../../../src/simulators/kit/rateLimitWindow.ts"

const minute = Date.parse("2026-11-25T20:00:00.000Z")
const tooMany = () => ({ message: "slow down" })

describe("rateLimitWindow", () => {
  it("spends a per-window budget, then refuses with the provider's body, and starts afresh next window", () => {
    const window = rateLimitWindow({
      limit: 2,
      windowMs: 60_000,
      headers: RateLimitHeaders.okta,
      refusalBody: tooMany,
    })
    const verdicts = [minute + 1_000, minute + 2_000, minute + 3_000].map(window.take)
    expect(verdicts.map((v) => [v.quota.remaining, v.refusal?.status])).toEqual([
      [1, undefined],
      [0, undefined],
      [0, 429],
    ])
    expect(verdicts[2]?.refusal).toEqual({ status: 429, body: { message: "slow down" } })
    expect(verdicts[0]?.headers).toEqual({
      "X-Rate-Limit-Limit": "2",
      "X-Rate-Limit-Remaining": "1",
      "X-Rate-Limit-Reset": String((minute + 60_000) / 1000),
    })
    const next = window.take(minute + 60_000)
    expect([next.quota.remaining, next.refusal]).toEqual([1, undefined])
  })

  it("writes the reset as each family does, and the connector reads it back to the same instant", () => {
    const now = minute + 15_000
    for (const family of Object.values(RateLimitHeaders)) {
      const { headers, quota } = rateLimitWindow({
        limit: 5,
        windowMs: 60_000,
        headers: family,
        refusalBody: tooMany,
      }).take(now)
      const lowerCased = Object.fromEntries(
        Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]),
      )
      expect([family.reset, readRateLimit(lowerCased, now)]).toEqual([
        family.reset,
        { remaining: 4, resetAt: quota.resetAt },
      ])
    }
    const ietf = rateLimitWindow({
      limit: 5,
      windowMs: 60_000,
      headers: RateLimitHeaders.ietfDraft,
      refusalBody: tooMany,
    })
    expect(ietf.take(now).headers["RateLimit-Reset"]).toBe("45")
  })

  it("sends Retry-After on a 429 where the provider does", () => {
    const window = rateLimitWindow({
      limit: 1,
      windowMs: 60_000,
      headers: RateLimitHeaders.xRateLimit,
      refusalBody: tooMany,
      retryAfter: true,
    })
    window.take(minute + 50_000)
    const refused = window.take(minute + 50_500)
    expect(refused.refusal?.headers).toEqual({ "Retry-After": "10" })
    expect(retryAfterMs({ "retry-after": "10" }, minute + 50_500)).toBe(10_000)
  })

  it("forceLimited refuses the next requests with a reset that far ahead, rounded up to a second", () => {
    const window = rateLimitWindow({
      limit: 100,
      windowMs: 60_000,
      headers: RateLimitHeaders.okta,
      refusalBody: tooMany,
    })
    window.forceLimited(2, 1_200)
    const now = minute + 100
    const [first, second, third] = [window.take(now), window.take(now), window.take(now)]
    expect([first?.refusal?.status, second?.refusal?.status, third?.refusal]).toEqual([429, 429, undefined])
    expect(first?.quota).toEqual({ limit: 100, remaining: 0, resetAt: minute + 2_000 })
  })

  it("counts a request within the grace before a reset in the next window", () => {
    const window = rateLimitWindow({
      limit: 1,
      windowMs: 60_000,
      headers: RateLimitHeaders.okta,
      refusalBody: tooMany,
      graceMs: 50,
    })
    window.take(minute - 10_000)
    expect(window.take(minute - 20).refusal).toBeUndefined()
  })

  it("rounds the window to whole seconds, since the headers cannot say anything finer", () => {
    const window = rateLimitWindow({
      limit: 1,
      windowMs: 1_400,
      headers: RateLimitHeaders.okta,
      refusalBody: tooMany,
    })
    expect(window.take(minute + 10).quota.resetAt).toBe(minute + 1_000)
  })
})
