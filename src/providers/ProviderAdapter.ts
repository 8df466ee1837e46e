import type { Duration, Schema } from "effect"
import type { Authorization } from "../auth/Authorization.ts"
import type { TokenGrantFor } from "../auth/grants.ts"
import type { UnifiedAction } from "../domain/Activity.ts"
import type { FilterName } from "../domain/ActivityFilters.ts"
import type { Credentials } from "../domain/Credentials.ts"
import type { ProviderHttp } from "../http/ProviderHttp.ts"
import type { AnyActivityStream, DecoderOf } from "./ActivityStream.ts"

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

/** What a provider call runs on: the shared HTTP client and the account's authorization. */
export type ProviderServices = ProviderHttp | Authorization

/**
 * An integration: the facts the spec and the provider's documentation give (capabilities, credential forms,
 * hosts, retention) and its streams. Everything that authorizes, pages, pins, filters, dedupes at boundaries
 * and interleaves streams is shared machinery (`pageAccount`).
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
  /**
   * The shortest time between two polls of an account that the provider's quota sustains (GitHub: 1,750
   * audit-log queries an hour). A shorter `poll.interval` / `poll_interval` is raised to it.
   */
  readonly minPollInterval?: Duration.Duration
  /** The public API root, where the provider has one; accounts may override it with `base_url`. */
  readonly defaultBaseUrl?: string
  /** The credential forms the provider accepts: config keys decoded at start into the typed value. */
  readonly credentials: DecoderOf<Credentials>
  /** How grant-form credentials (refresh token, client credentials, JWT) become a token request. */
  readonly tokenGrant?: TokenGrantFor
  /**
   * The account's `organization_id` names what the provider's API reads (Atlassian's `orgId`), so the config
   * must give it, although the spec has no `organization_id` filter for the integration. Where the spec
   * requires that filter (Asana, GitHub), `capabilities.requiredFilters` already makes it required.
   */
  readonly requiresOrganizationId?: boolean
  /** The account `settings` the provider reads (e.g. Zoom's `token_url`), validated at start when declared. */
  readonly settings?: Schema.Schema.AnyNoContext
  /** One or more named logs; empty while the provider client is not built (the endpoint then answers 501). */
  readonly streams: ReadonlyArray<AnyActivityStream>
}
