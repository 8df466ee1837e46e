import { Either, Schema } from "effect"
import { ProviderBadResponse } from "../../http/ProviderError.ts"
import type { ProviderCall } from "../ProviderCall.ts"
import type { PageQuery, Paginator } from "./Paginator.ts"

/** A page token within one date window; valid only briefly (Zoom: 15 minutes), so never a long-term checkpoint. */
export const WindowToken = Schema.Struct({ token: Schema.NonEmptyString })
export type WindowToken = typeof WindowToken.Type

export interface DateWindowFacts {
  readonly integration: string
  /** The widest window one request may span. */
  readonly maxWindowMs: number
  /** The request for the window `[query.from, query.to)`, with the page token after the first page. */
  readonly request: (query: PageQuery, token: string | undefined) => ProviderCall
  readonly read: (
    body: unknown,
  ) => { readonly records: ReadonlyArray<unknown>; readonly token?: string | undefined } | undefined
}

/** Date windows with a page token inside each (Zoom's reports): the same window is sent with every token. */
export const dateWindow = (facts: DateWindowFacts): Paginator<WindowToken> => ({
  family: "date_window",
  continuation: WindowToken,
  maxWindowMs: facts.maxWindowMs,
  first: (query) => facts.request(query, undefined),
  next: (continuation, query) => Either.right(facts.request(query, continuation.token)),
  read: (answer) => {
    const page = facts.read(answer.body)
    if (page === undefined) {
      return Either.left(
        new ProviderBadResponse({
          integration: facts.integration,
          message: `${facts.integration} answered something other than its report shape`,
        }),
      )
    }
    const token = page.token === undefined || page.token === "" ? undefined : page.token
    return Either.right({ records: page.records, continuation: token === undefined ? undefined : { token } })
  },
})
