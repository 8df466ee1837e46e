import type { Duration } from "effect"

// Apart from the client so the config schema can take its defaults without loading the transport.

export interface ProviderHttpOptions {
  /** Per-attempt timeout for one request (connect + headers + body). */
  readonly requestTimeout: Duration.DurationInput
  /** Transient failures (5xx, network, timeout) are retried this many times with jittered exponential backoff. */
  readonly maxRetries: number
  readonly retryBase: Duration.DurationInput
  /** A 429 or an exhausted quota is waited out when the provider's reset is at most this far away. */
  readonly maxRateLimitWait: Duration.DurationInput
  /**
   * Bytes of one response body read at most (`provider.max_response_bytes`). A larger body, declared or
   * streamed, is a bad response: not retried, since the same request would only bring it again.
   */
  readonly maxResponseBytes: number
  /**
   * The part of a provider's daily allocation (Salesforce's org-wide 24-hour API requests, HubSpot's daily
   * limit) the connector may use (`provider.daily_allocation_share`). Once an answer reports usage at or past
   * it, the account sends nothing for `dailyPause`; then one request reports the usage anew.
   */
  readonly dailyAllocationShare: number
  /** How long an account stays away once its share of the daily allocation is used. */
  readonly dailyPause: Duration.DurationInput
}

export const defaultProviderHttpOptions: ProviderHttpOptions = {
  requestTimeout: "30 seconds",
  maxRetries: 4,
  retryBase: "250 millis",
  maxRateLimitWait: "60 seconds",
  maxResponseBytes: 32 * 1024 * 1024,
  dailyAllocationShare: 0.8,
  // Neither provider says when room comes back (Salesforce's window rolls, HubSpot resets at a midnight of a
  // time zone the API does not give): an hour is one probe an hour while the share stays spent.
  dailyPause: "1 hour",
}
