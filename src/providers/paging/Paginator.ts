import type { Either } from "effect"
import type { ActivityFilters } from "../../domain/ActivityFilters.ts"
import type { ProviderError } from "../../http/ProviderError.ts"
import type { ProviderAnswer, ProviderCall } from "../ProviderCall.ts"

// biome-ignore lint/suspicious/noExplicitAny: Schema is invariant in its encoded type; callers only decode unknown input.
type DecoderOf<A> = import("effect").Schema.Schema<A, any>

/** The paging families the thirteen providers use. */
export type PagingFamily = "link_header" | "body_cursor" | "offset" | "date_window" | "query_result_url"

/** What one read of a stream asks the provider for. */
export interface PageQuery {
  readonly filters: ActivityFilters
  /** Records wanted per provider page (already within the provider's bounds where the paginator knows them). */
  readonly limit: number
  /** Inclusive lower time bound (epoch ms), when the read is bounded in time. */
  readonly from: number | undefined
  /** Exclusive upper time bound (epoch ms), when the read is bounded in time. */
  readonly to: number | undefined
  /** The Clock's now (epoch ms), for providers whose defaults are relative to it. */
  readonly now: number
  /**
   * The account's settings, for requests that depend on them (Salesforce's pinned `api_version` in the path;
   * GitHub's and Atlassian's organization, which their paths name).
   */
  readonly settings?: Readonly<Record<string, string>>
}

/** One provider answer, read: its raw records and how to continue (undefined: the provider has no more). */
export interface ReadPage<Continuation> {
  readonly records: ReadonlyArray<unknown>
  readonly continuation: Continuation | undefined
  /** The provider's own "more now" flag, where it has one; else more = a continuation and records on the page. */
  readonly hasMore?: boolean
}

/** The request an answer belongs to: its URL (links resolve against it) and the continuation it was built from. */
export interface SentRequest<Continuation> {
  readonly url: URL
  /** Undefined for the first request of a read. */
  readonly continuation: Continuation | undefined
}

/**
 * A paging family, parameterised by one stream's facts: how a request is built from a continuation and the
 * query, and how an answer becomes records plus the next continuation. Pure: no HTTP, no clock.
 */
export interface Paginator<Continuation> {
  readonly family: PagingFamily
  /** The continuation between provider pages; JSON-encodable, so it can be checkpointed and sealed. */
  readonly continuation: DecoderOf<Continuation>
  /** The widest time range one read may span (Zoom: one month); the machinery splits longer ranges. */
  readonly maxWindowMs?: number
  /**
   * For families whose continuation is itself a request (link header): the continuation a read starts at, so
   * even a read that was never sent has a position to come back to.
   */
  readonly start?: (query: PageQuery) => Continuation
  /** The request that starts a read of `query`. */
  readonly first: (query: PageQuery) => ProviderCall
  /** The request that continues a read. */
  readonly next: (continuation: Continuation, query: PageQuery) => Either.Either<ProviderCall, ProviderError>
  /**
   * For cursor-tailed streams whose provider may refuse a stored continuation (Atlassian's `ADMIN-400-1`):
   * which errors mean that, and the request that starts again from what the continuation remembers. `read`
   * is then given the refused continuation with the restart's URL, to drop what was already read.
   */
  readonly restart?: {
    readonly refused: (error: ProviderError) => boolean
    readonly call: (continuation: Continuation, query: PageQuery) => ProviderCall
  }
  /** The answer as records and continuation. */
  readonly read: (
    answer: ProviderAnswer,
    query: PageQuery,
    sent: SentRequest<Continuation>,
  ) => Either.Either<ReadPage<Continuation>, ProviderError>
}

// biome-ignore lint/suspicious/noExplicitAny: streams of every continuation type share one list.
export type AnyPaginator = Paginator<any>

/** A page size within `[1, max]`. */
export const clampLimit = (limit: number, max: number): number =>
  Math.min(max, Math.max(1, Math.floor(limit)))
