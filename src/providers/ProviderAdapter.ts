import type { Duration, Schema } from "effect"
import type { UnifiedAction } from "../domain/Activity.ts"
import type { FilterName } from "../domain/ActivityFilters.ts"
import type { OAuthTokens } from "../http/OAuthTokens.ts"
import type { ProviderHttp } from "../http/ProviderHttp.ts"
import type { AnyActivityStream } from "./ActivityStream.ts"
import type { Authorize } from "./ProviderCall.ts"

export type { DecoderOf, MappingFailure } from "./ActivityStream.ts"

/** What the spec's matrices say about one integration. */
export interface Capabilities {
  /** Filters the integration supports (the spec's "Supported in" / "Required in" lists). */
  readonly filters: ReadonlyArray<FilterName>
  /** Filters that must be given (the spec's "Required in"). */
  readonly requiredFilters: ReadonlyArray<FilterName>
  /** `action` values accepted, where the spec restricts them; undefined = every unified value. */
  readonly actions?: ReadonlyArray<UnifiedAction>
}

/** What a provider call runs on: the shared HTTP client and fetched OAuth tokens. */
export type ProviderServices = ProviderHttp | OAuthTokens

/**
 * An integration: the facts the spec and the provider's documentation give (capabilities, credential forms,
 * hosts, retention), how its calls are authorized, and its streams. Everything that pages, pins, filters,
 * dedupes at boundaries and interleaves streams is shared machinery (`pageAccount`).
 */
export interface ProviderAdapter {
  /** The config name; the registry key it is listed under. */
  readonly integration: string
  readonly capabilities: Capabilities
  /**
   * How far back the provider keeps activity, where it documents a limit. A stream whose checkpoint is older
   * resumes from the oldest kept activity and records the history in between as a gap.
   */
  readonly historyRetention?: Duration.Duration
  /** The public API root, where the provider has one; accounts may override it with `base_url`. */
  readonly defaultBaseUrl?: string
  /** The credential forms the provider accepts, as config keys (validated at start). */
  readonly credentials: Schema.Schema.AnyNoContext
  /** The account `settings` the provider reads (e.g. Zoom's `token_url`), validated at start when declared. */
  readonly settings?: Schema.Schema.AnyNoContext
  /** The `Authorization` header for the account's calls, renewed where the credential form allows. */
  readonly authorize: Authorize<ProviderServices>
  /** One or more named logs; empty while the provider client is not built (the endpoint then answers 501). */
  readonly streams: ReadonlyArray<AnyActivityStream>
}
