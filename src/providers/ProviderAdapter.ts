import type { Duration, Effect, Either, Schema } from "effect"
import type { Authorization } from "../auth/Authorization.ts"
import type { TokenGrantFor } from "../auth/grants.ts"
import type { Activity, UnifiedAction } from "../domain/Activity.ts"
import type { ActivityFilters, FilterName } from "../domain/ActivityFilters.ts"
import type { Credentials } from "../domain/Credentials.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { Integration } from "../domain/Integration.ts"
import type { ProviderError } from "../http/ProviderError.ts"
import type { ProviderHttp } from "../http/ProviderHttp.ts"

/** What the spec's matrices say about one integration. */
export interface Capabilities {
  /** Filters the integration supports (the spec's "Supported in" / "Required in" lists). */
  readonly filters: ReadonlyArray<FilterName>
  /** Filters that must be given (the spec's "Required in"). */
  readonly requiredFilters: ReadonlyArray<FilterName>
  /** `action` values accepted, where the spec restricts them; undefined = every unified value. */
  readonly actions?: ReadonlyArray<UnifiedAction>
}

export interface PageRequest<Position> {
  readonly account: IntegratedAccount
  readonly filters: ActivityFilters
  /** Where to continue; undefined = the start given by the filters (`created_at`, else the earliest kept). */
  readonly position: Position | undefined
  /** Upper bound on records to return; the adapter may return fewer. */
  readonly limit: number
}

export interface Page<Position> {
  /** Raw provider records, not yet decoded: decoding and mapping are the next steps of the flow. */
  readonly records: ReadonlyArray<unknown>
  /**
   * Where to continue from. Always present: at the end of what the provider has now, it is the position that
   * asks for newer activity only (the tail), so a consumer that comes back later misses and repeats nothing.
   */
  readonly next: Position
  /** True when the provider says more is available right now; false when caught up. */
  readonly hasMore: boolean
}

/** Why a raw provider record could not become an Activity. */
export interface MappingFailure {
  readonly reason: string
}

/** What an adapter's provider calls run on: the shared HTTP client and the account's authorization. */
export type ProviderServices = ProviderHttp | Authorization

/** A schema decoding unknown input into `A`, whatever its encoded form. */
// biome-ignore lint/suspicious/noExplicitAny: Schema is invariant in its encoded type; callers only decode unknown input.
export type DecoderOf<A> = Schema.Schema<A, any>

export interface ProviderAdapter<Raw = unknown, Position = unknown> {
  readonly integration: Integration
  readonly capabilities: Capabilities
  /**
   * How far back the provider keeps activity, where it documents a limit. A stream whose checkpoint is older
   * resumes from the oldest kept activity and records the history in between as a gap; `start_from:
   * earliest` reads no older than this. Undefined = unknown, so treated as unbounded.
   */
  readonly historyRetention?: Duration.Duration
  /** The public API root, where the provider has one; accounts may override it with `base_url`. */
  readonly defaultBaseUrl?: string
  /** The credential forms the provider accepts: config keys decoded at start into the typed value. */
  readonly credentials: DecoderOf<Credentials>
  /** How grant-form credentials (refresh token, client credentials, JWT) become a token request. */
  readonly tokenGrant?: TokenGrantFor
  /** The account `settings` the provider reads (e.g. Zoom's `token_url`), validated at start when declared. */
  readonly settings?: Schema.Schema.AnyNoContext
  /** The raw record as the provider documents it. */
  readonly record: DecoderOf<Raw>
  /** The position between pages; JSON-encodable, signed into `next_cursor` and the checkpoint. */
  readonly position: DecoderOf<Position>
  /** Raw record → unified Activity. Pure: same record, same Activity. `remote_data` is attached by the caller. */
  readonly toActivity: (record: Raw, account: IntegratedAccount) => Either.Either<Activity, MappingFailure>
  /** One page of raw records from the provider, plus where to continue. */
  readonly fetchPage: (
    request: PageRequest<Position>,
  ) => Effect.Effect<Page<Position>, ProviderError, ProviderServices>
}

// biome-ignore lint/suspicious/noExplicitAny: the registry holds adapters of every Raw/Position pair.
export type AnyProviderAdapter = ProviderAdapter<any, any>
