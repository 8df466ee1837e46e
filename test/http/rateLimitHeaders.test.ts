import { describe, expect, it } from "vitest"
import { isRateLimitAnswer, readRateLimit, retryAfterMs } from "../../src/http/rateLimitHeaders.ts"

const now = Date.parse("2026-11-25T20:00:00.000Z")
const epoch = (iso: string) => String(Date.parse(iso) / 1000)

describe("provider rate-limit headers", () => {
  it("Okta X-Rate-Limit-*: reset in epoch seconds", () => {
    expect(
      readRateLimit(
        { "x-rate-limit-remaining": "0", "x-rate-limit-reset": epoch("2026-11-25T20:00:42.000Z") },
        now,
      ),
    ).toEqual({ remaining: 0, resetAt: Date.parse("2026-11-25T20:00:42.000Z") })
  })

  it("GitHub/Zoom X-RateLimit-*: reset in epoch seconds", () => {
    expect(
      readRateLimit(
        { "x-ratelimit-remaining": "4999", "x-ratelimit-reset": epoch("2026-11-25T21:00:00.000Z") },
        now,
      ),
    ).toEqual({ remaining: 4999, resetAt: Date.parse("2026-11-25T21:00:00.000Z") })
  })

  it("Atlassian X-RateLimit-*: reset as an ISO 8601 date-time, with or without seconds", () => {
    expect(
      readRateLimit({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "2026-11-25T20:01:00Z" }, now),
    ).toEqual({ remaining: 0, resetAt: now + 60_000 })
    expect(readRateLimit({ "x-ratelimit-reset": "2026-11-25T20:01+0000" }, now)).toEqual({
      resetAt: now + 60_000,
    })
    expect(retryAfterMs({ "x-ratelimit-reset": "2026-11-25T20:00:30.000Z" }, now)).toBe(30_000)
    expect(readRateLimit({ "x-ratelimit-reset": "soon" }, now)).toEqual({})
  })

  it("IETF RateLimit-*: reset in seconds from now", () => {
    expect(readRateLimit({ "ratelimit-remaining": "3", "ratelimit-reset": "30" }, now)).toEqual({
      remaining: 3,
      resetAt: now + 30_000,
    })
  })

  it("HubSpot X-HubSpot-RateLimit-*: no reset header, so the rolling interval from now is the reset", () => {
    const hubspot = {
      "x-hubspot-ratelimit-max": "190",
      "x-hubspot-ratelimit-remaining": "0",
      "x-hubspot-ratelimit-interval-milliseconds": "10000",
    }
    expect(readRateLimit(hubspot, now)).toEqual({ remaining: 0, resetAt: now + 10_000 })
    // A 429 without Retry-After waits one whole interval.
    expect(retryAfterMs(hubspot, now)).toBe(10_000)
    expect(readRateLimit({ "x-hubspot-ratelimit-remaining": "42" }, now)).toEqual({ remaining: 42 })
  })

  it("Atlassian X-RateLimit-*: the reset is an ISO 8601 date-time, minutes-only included", () => {
    expect(
      readRateLimit({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": "2026-11-25T20:30Z" }, now),
    ).toEqual({ remaining: 0, resetAt: Date.parse("2026-11-25T20:30:00.000Z") })
    expect(readRateLimit({ "x-ratelimit-reset": "2026-11-25T20:00:05.000Z" }, now)).toEqual({
      resetAt: now + 5_000,
    })
  })

  it("no headers, or unparseable ones, say nothing", () => {
    expect(readRateLimit({}, now)).toEqual({})
    expect(readRateLimit({ "x-rate-limit-remaining": "lots", "x-rate-limit-reset": "" }, now)).toEqual({})
  })

  it("Retry-After in seconds or as an HTTP date wins over the reset header", () => {
    const reset = { "x-rate-limit-reset": epoch("2026-11-25T20:05:00.000Z") }
    expect(retryAfterMs({ ...reset, "retry-after": "7" }, now)).toBe(7_000)
    expect(retryAfterMs({ ...reset, "retry-after": "Wed, 25 Nov 2026 20:00:12 GMT" }, now)).toBe(12_000)
    expect(retryAfterMs(reset, now)).toBe(300_000)
    expect(retryAfterMs({}, now)).toBeUndefined()
  })

  it("a reset already in the past means no wait, never a negative one", () => {
    expect(retryAfterMs({ "x-rate-limit-reset": epoch("2026-11-25T19:59:00.000Z") }, now)).toBe(0)
    expect(retryAfterMs({ "retry-after": "Wed, 25 Nov 2026 19:00:00 GMT" }, now)).toBe(0)
  })

  it("a 429 is a rate limit; a 403 only with Retry-After or an exhausted quota", () => {
    expect(isRateLimitAnswer(429, {}, now)).toBe(true)
    expect(isRateLimitAnswer(403, { "retry-after": "60" }, now)).toBe(true)
    expect(isRateLimitAnswer(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": "1" }, now)).toBe(true)
    expect(isRateLimitAnswer(403, { "x-rate-limit-remaining": "0" }, now)).toBe(true)
    expect(isRateLimitAnswer(403, { "x-ratelimit-remaining": "12" }, now)).toBe(false)
    expect(isRateLimitAnswer(403, {}, now)).toBe(false)
    expect(isRateLimitAnswer(401, { "retry-after": "5" }, now)).toBe(false)
  })
})
