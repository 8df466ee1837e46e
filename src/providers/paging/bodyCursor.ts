import { Either, Schema } from "effect"
import { ProviderBadResponse } from "../../http/ProviderError.ts"
import type { ProviderCall } from "../ProviderCall.ts"
import type { PageQuery, Paginator } from "./Paginator.ts"

export const CursorToken = Schema.Struct({ token: Schema.NonEmptyString })
export type CursorToken = typeof CursorToken.Type

export interface BodyCursorFacts {
  readonly integration: string
  readonly first: (query: PageQuery) => ProviderCall
  /** The request carrying the token: a query parameter (Zendesk, Figma, HubSpot `after`, Atlassian, Asana) or a POST body (Dropbox `continue`). */
  readonly next: (token: string, query: PageQuery) => ProviderCall
  /** Records, the next token (absent or empty at the end) and the provider's own more-flag if it has one. */
  readonly read: (body: unknown) =>
    | {
        readonly records: ReadonlyArray<unknown>
        readonly token?: string | undefined
        readonly hasMore?: boolean
      }
    | undefined
}

/** A cursor token in the response body, sent back on the next request. */
export const bodyCursor = (facts: BodyCursorFacts): Paginator<CursorToken> => ({
  family: "body_cursor",
  continuation: CursorToken,
  first: facts.first,
  next: (continuation, query) => Either.right(facts.next(continuation.token, query)),
  read: (answer) => {
    const page = facts.read(answer.body)
    if (page === undefined) {
      return Either.left(
        new ProviderBadResponse({
          integration: facts.integration,
          message: `${facts.integration} answered something other than its page shape`,
        }),
      )
    }
    const token = page.token === undefined || page.token === "" ? undefined : page.token
    return Either.right({
      records: page.records,
      continuation: token === undefined ? undefined : { token },
      ...(page.hasMore === undefined ? {} : { hasMore: page.hasMore }),
    })
  },
})
