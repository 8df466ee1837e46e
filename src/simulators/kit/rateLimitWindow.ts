import type { Reply } from "./Reply.ts"

/** The headers a provider reports its quota in, and how it writes the reset. */
export interface RateLimitHeaderFamily {
  readonly limit: string
  readonly remaining: string
  readonly reset: string
  /** `epoch-seconds`: the instant the window resets; `seconds-left`: how long until it does. */
  readonly resetAs: "epoch-seconds" | "seconds-left"
}

/** The three families the providers send (the connector reads them in src/http/rateLimitHeaders.ts). */
export const RateLimitHeaders = {
  okta: {
    limit: "X-Rate-Limit-Limit",
    remaining: "X-Rate-Limit-Remaining",
    reset: "X-Rate-Limit-Reset",
    resetAs: "epoch-seconds",
  },
  /** GitHub, Zoom and others. */
  xRateLimit: {
    limit: "X-RateLimit-Limit",
    remaining: "X-RateLimit-Remaining",
    reset: "X-RateLimit-Reset",
    resetAs: "epoch-seconds",
  },
  /** The IETF RateLimit draft (Zendesk, Atlassian). */
  ietfDraft: {
    limit: "RateLimit-Limit",
    remaining: "RateLimit-Remaining",
    reset: "RateLimit-Reset",
    resetAs: "seconds-left",
  },
} as const satisfies Record<string, RateLimitHeaderFamily>

/** The quota one response reported. */
export interface RateLimitQuota {
  readonly limit: number
  readonly remaining: number
  /** Epoch ms, on a whole second: every family writes the reset in seconds. */
  readonly resetAt: number
}

export interface RateLimitWindowOptions {
  /** Requests allowed per window. */
  readonly limit: number
  /** Rounded to whole seconds (at least one), since the reset headers cannot say anything finer. */
  readonly windowMs: number
  readonly headers: RateLimitHeaderFamily
  /** The provider's own 429 body. */
  readonly refusalBody: () => unknown
  /** Whether the provider's 429 carries `Retry-After` (whole seconds until the reset). */
  readonly retryAfter?: boolean
  /**
   * A request this close before a reset counts in the next window: a client that slept until the advertised
   * reset may be woken a few milliseconds early by its timer, and providers' resets are estimates anyway.
   */
  readonly graceMs?: number
}

export interface RateLimitVerdict {
  readonly quota: RateLimitQuota
  /** The family's headers describing `quota`; sent on every response. */
  readonly headers: Readonly<Record<string, string>>
  /** Present when the request is over budget: the 429 to send instead of the simulator's answer. */
  readonly refusal?: Reply
}

export interface RateLimitWindow {
  /** Counts one request arriving at `now` (epoch ms) against its fixed window. */
  readonly take: (now: number) => RateLimitVerdict
  /**
   * The next `count` requests are refused whatever the budget, with a reset `resetInMs` ahead (rounded up to a
   * second; `FORCED_RESET_MS` unless given).
   */
  readonly forceLimited: (count: number, resetInMs?: number) => void
}

/** How far ahead a forced refusal's reset lies unless a test says otherwise. */
export const FORCED_RESET_MS = 1500

/** A fixed-window request budget, reported in a provider's own header family. */
export const rateLimitWindow = (options: RateLimitWindowOptions): RateLimitWindow => {
  const { limit, headers: family } = options
  const windowMs = Math.max(1, Math.round(options.windowMs / 1000)) * 1000
  const graceMs = options.graceMs ?? 0
  let window = { index: -1, used: 0 }
  let forced = { count: 0, resetInMs: 0 }

  const secondsUntil = (resetAt: number, now: number) => Math.max(0, Math.ceil((resetAt - now) / 1000))

  return {
    take: (now) => {
      const index = Math.floor((now + graceMs) / windowMs)
      if (index !== window.index) window = { index, used: 0 }
      window.used++
      let quota: RateLimitQuota = {
        limit,
        remaining: Math.max(0, limit - window.used),
        resetAt: (index + 1) * windowMs,
      }
      let refused = window.used > limit
      if (forced.count > 0) {
        forced = { ...forced, count: forced.count - 1 }
        quota = { ...quota, remaining: 0, resetAt: Math.ceil((now + forced.resetInMs) / 1000) * 1000 }
        refused = true
      }
      const headers = {
        [family.limit]: String(quota.limit),
        [family.remaining]: String(quota.remaining),
        [family.reset]: String(
          family.resetAs === "epoch-seconds" ? quota.resetAt / 1000 : secondsUntil(quota.resetAt, now),
        ),
      }
      if (!refused) return { quota, headers }
      const refusal: Reply = {
        status: 429,
        body: options.refusalBody(),
        ...(options.retryAfter
          ? { headers: { "Retry-After": String(secondsUntil(quota.resetAt, now)) } }
          : {}),
      }
      return { quota, headers, refusal }
    },
    forceLimited: (count, resetInMs = FORCED_RESET_MS) => {
      forced = { count, resetInMs }
    },
  }
}
