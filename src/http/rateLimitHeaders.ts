/**
 * Reads the rate-limit state a provider reports in its response headers. The providers use these families:
 * - Okta `X-Rate-Limit-*`, reset in epoch seconds;
 * - GitHub/Zoom `X-RateLimit-*`, reset in epoch seconds;
 * - Atlassian's admin APIs, Jira and Confluence `X-RateLimit-*` too, but the reset is an ISO 8601 date-time
 *   (`2026-03-15T09:01:00Z`, `2024-06-05T12:30Z`; grove reads Atlassian's as `%Y-%m-%dT%H:%M%z`);
 * - the IETF `RateLimit-*` draft (Zendesk), reset in seconds from now;
 * plus `Retry-After` (seconds or an HTTP date) on 429/503, and on GitHub's secondary-limit 403s.
 * HubSpot's `X-HubSpot-RateLimit-*` has no reset at all, only its rolling window's length
 * (`-Interval-Milliseconds`) beside `-Remaining`: a whole interval from now is when a rolling window is sure to
 * have room again, so that is its reset.
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

/** Epoch seconds look like ~1.7e9; anything small is a delta in seconds; a date-time is read as one. */
const resetToEpochMs = (value: string | undefined, now: number): number | undefined => {
  const seconds = number(value)
  if (seconds !== undefined) return seconds > 1e9 ? seconds * 1000 : now + seconds * 1000
  // Only a date with a time of day: a bare word such as "soon" must not parse into some instant.
  if (value === undefined || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value.trim())) return undefined
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
  const resetAt =
    resetToEpochMs(header(headers, "x-rate-limit-reset"), now) ??
    resetToEpochMs(header(headers, "x-ratelimit-reset"), now) ??
    resetToEpochMs(header(headers, "ratelimit-reset"), now) ??
    (rollingIntervalMs !== undefined && rollingIntervalMs > 0 ? now + rollingIntervalMs : undefined)
  return {
    ...(remaining === undefined ? {} : { remaining }),
    ...(resetAt === undefined ? {} : { resetAt }),
  }
}

/**
 * A daily allocation the provider reports beside (or instead of) its short window: how much of it is used.
 * - Salesforce `Sforce-Limit-Info: api-usage=<used>/<allocation>` (a rolling 24 hours, shared by every
 *   integration of the org);
 * - HubSpot `X-HubSpot-RateLimit-Daily` and `-Daily-Remaining` (private apps; resets at midnight in the
 *   account's time zone, which the API does not tell).
 * Neither says when room comes back, so the caller decides how long to stay away.
 */
export interface DailyAllocation {
  readonly used: number
  readonly allocation: number
}

export const readDailyAllocation = (headers: Headers): DailyAllocation | undefined => {
  const salesforce = /(?:^|[;,\s])api-usage=(\d+)\/(\d+)/.exec(header(headers, "sforce-limit-info") ?? "")
  if (salesforce) return { used: Number(salesforce[1]), allocation: Number(salesforce[2]) }
  const allocation = number(header(headers, "x-hubspot-ratelimit-daily"))
  const remaining = number(header(headers, "x-hubspot-ratelimit-daily-remaining"))
  if (allocation === undefined || remaining === undefined) return undefined
  return { used: Math.max(0, allocation - remaining), allocation }
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

/**
 * Whether an error answer is the provider's rate limit. A 429 always is. A 403 is when its headers say so:
 * `Retry-After`, or a quota reported as exhausted (remaining 0). GitHub answers both its primary limit
 * (`x-ratelimit-remaining: 0`) and its secondary limits (`retry-after`) that way. Any other 403 is a
 * permission answer (not an owner, a missing scope, a plan without the API) and is not retried.
 */
export const isRateLimitAnswer = (status: number, headers: Headers, now: number): boolean =>
  status === 429 ||
  (status === 403 &&
    (header(headers, "retry-after") !== undefined || readRateLimit(headers, now).remaining === 0))
