import { Either, Schema } from "effect"
import { ProviderBadResponse } from "../../http/ProviderError.ts"
import type { ProviderCall } from "../ProviderCall.ts"
import type { PageQuery, Paginator } from "./Paginator.ts"

export const Offset = Schema.Struct({ offset: Schema.NonNegativeInt })
export type Offset = typeof Offset.Type

export interface OffsetFacts {
  readonly integration: string
  /** The request for the page starting at `offset` (Jira `offset`, Confluence `start`, …). */
  readonly request: (offset: number, query: PageQuery) => ProviderCall
  /** Records and, where the provider states it, the total matching. */
  readonly read: (
    body: unknown,
  ) => { readonly records: ReadonlyArray<unknown>; readonly total?: number } | undefined
}

/** Offset + limit paging (Jira, Confluence): it ends on a short page or once the offset reaches the total. */
export const offsetPaging = (facts: OffsetFacts): Paginator<Offset> => ({
  family: "offset",
  continuation: Offset,
  first: (query) => facts.request(0, query),
  next: (continuation, query) => Either.right(facts.request(continuation.offset, query)),
  read: (answer, query, sent) => {
    const page = facts.read(answer.body)
    if (page === undefined) {
      return Either.left(
        new ProviderBadResponse({
          integration: facts.integration,
          message: `${facts.integration} answered something other than its page shape`,
        }),
      )
    }
    const nextOffset = (sent.continuation?.offset ?? 0) + page.records.length
    const ended =
      page.records.length === 0 ||
      page.records.length < query.limit ||
      (page.total !== undefined && nextOffset >= page.total)
    return Either.right({ records: page.records, continuation: ended ? undefined : { offset: nextOffset } })
  },
})
