import { Data } from "effect"

// Failures talking to a provider. None of them carries credentials or request headers; messages hold
// only what the provider said and where (integration, status), so they are safe to log and to return.

/** The provider refused our credentials (HTTP 401/403). Not retried. */
export class ProviderUnauthorized extends Data.TaggedError("ProviderUnauthorized")<{
  readonly integration: string
  readonly status: number
  readonly message: string
}> {}

/** The provider's rate limit is exhausted for longer than we are willing to wait. */
export class ProviderRateLimited extends Data.TaggedError("ProviderRateLimited")<{
  readonly integration: string
  readonly retryAfterMs: number
  readonly message: string
}> {}

/** 5xx or a network failure: transient, retried with backoff. */
export class ProviderUnavailable extends Data.TaggedError("ProviderUnavailable")<{
  readonly integration: string
  readonly status?: number
  readonly message: string
}> {}

export class ProviderTimeout extends Data.TaggedError("ProviderTimeout")<{
  readonly integration: string
  readonly timeoutMs: number
  readonly message: string
}> {}

/** Any other 4xx: the request was wrong in the provider's eyes. Not retried. */
export class ProviderRejected extends Data.TaggedError("ProviderRejected")<{
  readonly integration: string
  readonly status: number
  readonly code?: string
  readonly message: string
}> {}

/** The provider answered something that is not the documented page shape. */
export class ProviderBadResponse extends Data.TaggedError("ProviderBadResponse")<{
  readonly integration: string
  readonly message: string
}> {}

/** A position (pagination link, cursor) pointed at a host other than the account's configured one. */
export class ForeignHostRefused extends Data.TaggedError("ForeignHostRefused")<{
  readonly integration: string
  readonly host: string
  readonly message: string
}> {}

/**
 * A continuation the provider handed back (a next-batch URL) that the connector will not follow: it names
 * another host, or leads somewhere other than the resource the stream reads. Asking again repeats the read that
 * produced it, so no retry mends it. `host` is set when the continuation named another host.
 */
export class ContinuationRefused extends Data.TaggedError("ContinuationRefused")<{
  readonly integration: string
  readonly host?: string
  readonly message: string
}> {}

/** The position is older than the provider keeps history: resume from the earliest available. */
export class ProviderHistoryExpired extends Data.TaggedError("ProviderHistoryExpired")<{
  readonly integration: string
  readonly message: string
}> {}

/** The adapter for this integration is declared (capabilities) but its provider client is not built yet. */
export class ProviderNotImplemented extends Data.TaggedError("ProviderNotImplemented")<{
  readonly integration: string
  readonly message: string
}> {}

export type ProviderError =
  | ProviderUnauthorized
  | ProviderRateLimited
  | ProviderUnavailable
  | ProviderTimeout
  | ProviderRejected
  | ProviderBadResponse
  | ForeignHostRefused
  | ContinuationRefused
  | ProviderHistoryExpired
  | ProviderNotImplemented

/** Transient failures worth another attempt. */
export const isTransient = (error: ProviderError): boolean =>
  error._tag === "ProviderUnavailable" ||
  error._tag === "ProviderTimeout" ||
  error._tag === "ProviderRateLimited"
