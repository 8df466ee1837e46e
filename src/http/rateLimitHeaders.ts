/**
 * Reads the rate-limit state a provider reports in its response headers. The providers use three families:
 * Okta `X-Rate-Limit-*` (reset = epoch seconds), GitHub/Zoom-style `X-RateLimit-*` (reset = epoch seconds),
 * (Jira and Confluence send this family with the reset as an ISO 8601 date-time instead), and the IETF
 * `RateLimit-*` draft (Zendesk, Atlassian; reset = seconds from now); plus `Retry-After`
 * (seconds or an HTTP date) on 429/503. HubSpot sends no reset at all, only its rolling window's length
 * (`X-HubSpot-RateLimit-Interval-Milliseconds`) beside `X-HubSpot-RateLimit-Remaining`: a whole interval from
 * now is when a rolling window is sure to have room again, so that is its reset.
 */
export interface RateLimitState {
  readonly remaining?: number
  /** Epoch ms at which the window resets. */
  readonly resetAt?: number
}

type Headers = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name.toLowerCase()]
  return Array.isArray(value) ? value[0] : (value as string | undefined)
}

const number = (value: string | undefined): number | undefined => {
  if (value === undefined || value.trim() === "") return undefined
  const parsed = Number(value.trim())
  return Number.isFinite(parsed) ? parsed : undefined
}

/** Epoch seconds look like ~1.7e9; anything small is a delta in seconds. */
const resetToEpochMs = (value: number, now: number): number =>
  value > 1e9 ? value * 1000 : now + value * 1000

/** A reset written as an ISO 8601 date-time (Atlassian's `X-RateLimit-Reset: 2024-06-05T12:30Z`), in epoch ms. */
const dateTime = (value: string | undefined): number | undefined => {
  if (value === undefined || !/^\d{4}-\d{2}-\d{2}T/.test(value.trim())) return undefined
  const at = Date.parse(value.trim())
  return Number.isNaN(at) ? undefined : at
}

export const readRateLimit = (headers: Headers, now: number): RateLimitState => {
  const remaining =
    number(header(headers, "x-rate-limit-remaining")) ??
    number(header(headers, "x-ratelimit-remaining")) ??
    number(header(headers, "ratelimit-remaining")) ??
    number(header(headers, "x-hubspot-ratelimit-remaining"))
  const rollingIntervalMs = number(header(headers, "x-hubspot-ratelimit-interval-milliseconds"))
  const reset =
    number(header(headers, "x-rate-limit-reset")) ??
    number(header(headers, "x-ratelimit-reset")) ??
    number(header(headers, "ratelimit-reset"))
  const resetAt =
    reset !== undefined
      ? resetToEpochMs(reset, now)
      : (dateTime(header(headers, "x-ratelimit-reset")) ??
        (rollingIntervalMs !== undefined && rollingIntervalMs > 0 ? now + rollingIntervalMs : undefined))
  return {
    ...(remaining === undefined ? {} : { remaining }),
    ...(resetAt === undefined ? {} : { resetAt }),
  }
}

/** How long to wait before retrying a 429/503, in ms; undefined when the provider does not say. */
export const retryAfterMs = (headers: Headers, now: number): number | undefined => {
  const retryAfter = header(headers, "retry-after")
  if (retryAfter !== undefined) {
    const seconds = number(retryAfter)
    if (seconds !== undefined) return Math.max(0, seconds * 1000)
    const date = Date.parse(retryAfter)
    if (!Number.isNaN(date)) return Math.max(0, date - now)
  }
  const { resetAt } = readRateLimit(headers, now)
  return resetAt === undefined ? undefined : Math.max(0, resetAt - now)
}
