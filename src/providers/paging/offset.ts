import { Either, Schema } from "effect"
import { ProviderBadResponse } from "../../http/ProviderError.ts"
import type { ProviderCall } from "../ProviderCall.ts"
import { clampLimit, type PageQuery, type Paginator } from "./Paginator.ts"

export const Offset = Schema.Struct({ offset: Schema.NonNegativeInt })
export type Offset = typeof Offset.Type

export interface OffsetFacts {
  readonly integration: string
  /** The request for the page starting at `offset` (Jira `offset`, Confluence `start`, …). */
  readonly request: (offset: number, query: PageQuery) => ProviderCall
  /** The largest page the provider serves (Jira 1000); `request` sends `query.limit` clamped to it. */
  readonly maxLimit?: number
  /**
   * Records; where the provider states them, the total matching and the page size it applied (it may serve
   * fewer than asked: Confluence's limit "may be restricted by fixed system limits").
   */
  readonly read: (
    body: unknown,
  ) =>
    | { readonly records: ReadonlyArray<unknown>; readonly total?: number; readonly pageSize?: number }
    | undefined
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
    // A page is short against the size the provider says it applied, else the size that was asked for.
    const asked = facts.maxLimit === undefined ? query.limit : clampLimit(query.limit, facts.maxLimit)
    const pageSize = page.pageSize !== undefined && page.pageSize > 0 ? page.pageSize : asked
    const ended =
      page.records.length === 0 ||
      page.records.length < pageSize ||
      (page.total !== undefined && nextOffset >= page.total)
    return Either.right({ records: page.records, continuation: ended ? undefined : { offset: nextOffset } })
  },
})
