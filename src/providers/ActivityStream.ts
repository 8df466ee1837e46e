import type { Duration, Either } from "effect"
import { Schema } from "effect"
import type { Activity } from "../domain/Activity.ts"
import type { ActivityFilters, FilterName } from "../domain/ActivityFilters.ts"
import type { SignInDetail } from "../domain/ActivityRecord.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { ProviderError } from "../http/ProviderError.ts"
import type { AllowedPaths } from "./ProviderCall.ts"
import type { Paginator } from "./paging/Paginator.ts"

/** Why a raw provider record could not become an Activity. */
export interface MappingFailure {
  readonly reason: string
}

/** A schema decoding unknown input into `A`, whatever its encoded form. */
// biome-ignore lint/suspicious/noExplicitAny: Schema is invariant in its encoded type; callers only decode unknown input.
export type DecoderOf<A> = Schema.Schema<A, any>

/** The order a provider returns a stream's records in, as documented (or observed: the provider note says which). */
export type RecordOrder = "oldest_first" | "newest_first" | "unsorted"

/**
 * How a stream is tailed between polls:
 * - `cursor`: the provider's continuation is the position, kept between polls; asking it again later yields
 *   only newer records (Okta polling, Asana, Atlassian's stream, Dropbox, Figma).
 * - `watermark`: the position is a time lower bound (inclusive) plus the ids already emitted at it; every
 *   poll re-queries from it, pages to the end, sorts by time and drops what was emitted. Continuations live
 *   only within one read, so a short-lived token (Zoom) or locator (Salesforce) is never checkpointed.
 */
export type TailMode =
  | { readonly mode: "cursor" }
  | {
      readonly mode: "watermark"
      /** Records newer than now − settle are left for a later poll: providers that publish late (GitHub, Zendesk). */
      readonly settle?: Duration.Duration
    }

/**
 * The position of a watermark stream: where the next read starts (inclusive) and the ids already emitted at
 * that instant, so records sharing the boundary timestamp are neither repeated nor missed. `rejected` holds
 * digests of records that could not be mapped (they carry no usable time), so each is dead-lettered once.
 */
export const Watermark = Schema.Struct({
  since: Schema.String,
  seen: Schema.Array(Schema.String),
  rejected: Schema.optionalWith(Schema.Array(Schema.String), { default: () => [] }),
}).annotations({ identifier: "Watermark" })
export type Watermark = typeof Watermark.Type

/**
 * What a provider says of a failed sign-in beyond the Activity: why it failed and the user name that was tried.
 * Not Activity fields (the spec has none for them); carried beside the Activity for the login_failed topic.
 */
export type FailedSignIn = SignInDetail

/**
 * Which records of a stream are failed sign-ins: every one the stream maps to `login_failed`, and raw types that
 * security teams count with them (a lockout, a denied MFA push, a sign-on policy denial) though no unified
 * action says the same thing. Pure.
 */
export interface FailedSignIns<Raw> {
  /** The actions (unified or raw) a failed sign-in of this stream can carry; no other record is looked at. */
  readonly actions: ReadonlySet<string>
  /** The record as a failed sign-in, or undefined when it is not one (a raw type whose outcome was a success). */
  readonly of: (record: Raw) => FailedSignIn | undefined
}

/**
 * One log of an integration (Okta's System Log; Zoom's sign-in report and operation logs; HubSpot's three):
 * its records, their mapping, and the facts the shared machinery pages it by. A stream performs no HTTP.
 */
export interface ActivityStream<Raw = unknown, Continuation = unknown> {
  /** Unique within the integration; the key of its position in checkpoints and cursors. Never rename one. */
  readonly name: string
  /** The raw record as the provider documents it. */
  readonly record: DecoderOf<Raw>
  /**
   * Raw record → unified Activity. Pure: same record, same Activity (and the same id: records without one get a
   * deterministic id from their content). `remote_data` is attached by the caller.
   */
  readonly toActivity: (record: Raw, account: IntegratedAccount) => Either.Either<Activity, MappingFailure>
  readonly order: RecordOrder
  readonly tail: TailMode
  readonly paging: Paginator<Continuation>
  /**
   * Filters that reach the provider's own parameters. Every other filter the integration supports is applied
   * by the shared post-filter to the mapped Activities; `created_at` is always checked there too, exactly.
   */
  readonly pushedDown: ReadonlyArray<FilterName>
  /** Its failed sign-ins, with their reason and attempted user; absent: exactly the `login_failed` Activities. */
  readonly failedSignIns?: FailedSignIns<Raw>
  /** False when no record of this stream can match the filters (e.g. an action it never holds): not asked at all. */
  readonly canMatch?: (filters: ActivityFilters) => boolean
  /**
   * False when the account has this stream off (HubSpot's Enterprise-only audit log, opted into per account):
   * it is never asked and its position is left as it is. Absent: on for every account.
   */
  readonly enabledFor?: (settings: IntegratedAccount["settings"]) => boolean
  /**
   * The only paths its requests may take on the account's origin (stored positions, provider links included):
   * a list, or a test for APIs whose paths carry ids or versions (Salesforce's `/services/data/vNN.N/query/<locator>`).
   */
  readonly paths?: AllowedPaths
  /** How long the provider keeps this stream's records; a watermark read never starts further back. */
  readonly historyRetention?: Duration.Duration
  /** The provider's error code and message out of an error body. */
  readonly describeError?: (body: unknown) => { code?: string; message?: string }
  /** A provider-specific answer turned into what it means (history expired, continuation expired, …). */
  readonly classifyError?: (error: ProviderError) => ProviderError
}

// biome-ignore lint/suspicious/noExplicitAny: an integration's streams have different raw and continuation types.
export type AnyActivityStream = ActivityStream<any, any>

/** The schema of a stream's position, as checkpoints and cursors hold it. */
export const positionSchema = (stream: AnyActivityStream): DecoderOf<unknown> =>
  stream.tail.mode === "cursor" ? stream.paging.continuation : (Watermark as DecoderOf<unknown>)
