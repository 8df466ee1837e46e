import { Either, Schema } from "effect"
import { ProviderBadResponse } from "../../http/ProviderError.ts"
import type { ProviderCall } from "../ProviderCall.ts"
import type { PageQuery, Paginator } from "./Paginator.ts"

export const Offset = Schema.Struct({ offset: Schema.NonNegativeInt })
export type Offset = typeof Offset.Type

export interface OffsetFacts {
  readonly integration: string
  /** The request for the page of `pageSize` records starting at `offset` (Jira `offset`, Confluence `start`, …). */
  readonly request: (offset: number, query: PageQuery, pageSize: number) => ProviderCall
  /**
   * The records each request asks for; default `query.limit`. A watermark read over a newest-first log reads
   * its whole window whatever the limit, so its requests ask for the provider's largest page.
   */
  readonly pageSize?: (query: PageQuery) => number
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
export const offsetPaging = (facts: OffsetFacts): Paginator<Offset> => {
  const sizeOf = (query: PageQuery) => facts.pageSize?.(query) ?? query.limit
  return {
    family: "offset",
    continuation: Offset,
    first: (query) => facts.request(0, query, sizeOf(query)),
    next: (continuation, query) => Either.right(facts.request(continuation.offset, query, sizeOf(query))),
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
      const pageSize = page.pageSize !== undefined && page.pageSize > 0 ? page.pageSize : sizeOf(query)
      const ended =
        page.records.length === 0 ||
        page.records.length < pageSize ||
        (page.total !== undefined && nextOffset >= page.total)
      return Either.right({ records: page.records, continuation: ended ? undefined : { offset: nextOffset } })
    },
  }
}
