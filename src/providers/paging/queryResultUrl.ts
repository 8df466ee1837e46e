import { Either, Schema } from "effect"
import { ProviderBadResponse, type ProviderError } from "../../http/ProviderError.ts"
import type { ProviderCall } from "../ProviderCall.ts"
import type { PageQuery, Paginator } from "./Paginator.ts"

/** The provider's URL for the next batch of a query (Salesforce `nextRecordsUrl`): pinned to the account's origin when sent. */
export const ResultUrl = Schema.Struct({ next: Schema.NonEmptyString })
export type ResultUrl = typeof ResultUrl.Type

export interface QueryResultUrlFacts {
  readonly integration: string
  readonly first: (query: PageQuery) => ProviderCall
  readonly read: (body: unknown) =>
    | {
        readonly records: ReadonlyArray<unknown>
        readonly nextUrl?: string | undefined
        readonly done: boolean
      }
    | undefined
  /**
   * The request that follows the provider's next URL, or why it is not followed. The machinery's origin and
   * path checks still apply; this is where a provider states what its next URLs look like. Unless given, the
   * URL is requested as it came.
   */
  readonly follow?: (nextUrl: string, query: PageQuery) => Either.Either<ProviderCall, ProviderError>
}

/** A query whose answer names the URL of its next batch, until `done`. */
export const queryResultUrl = (facts: QueryResultUrlFacts): Paginator<ResultUrl> => ({
  family: "query_result_url",
  continuation: ResultUrl,
  first: facts.first,
  next: (continuation, query) =>
    facts.follow === undefined
      ? Either.right({ target: continuation.next })
      : facts.follow(continuation.next, query),
  read: (answer) => {
    const page = facts.read(answer.body)
    if (page === undefined) {
      return Either.left(
        new ProviderBadResponse({
          integration: facts.integration,
          message: `${facts.integration} answered something other than its query result shape`,
        }),
      )
    }
    const next = page.done || page.nextUrl === undefined ? undefined : { next: page.nextUrl }
    return Either.right({ records: page.records, continuation: next })
  },
})
