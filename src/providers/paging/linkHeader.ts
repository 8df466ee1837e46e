import { Either, Schema } from "effect"
import { ForeignHostRefused, ProviderBadResponse } from "../../http/ProviderError.ts"
import { nextLink } from "./nextLink.ts"
import { clampLimit, type PageQuery, type Paginator } from "./Paginator.ts"

/** Where to continue: the path and query of the provider's `rel="next"` link, never its host. */
export const linkPosition = (path: string) =>
  Schema.Struct({ next: Schema.String.pipe(Schema.startsWith(`${path}?`)) })
export type LinkPosition = { readonly next: string }

export interface LinkHeaderFacts {
  readonly integration: string
  /** The one path the stream pages on; a continuation or link elsewhere is refused. */
  readonly path: string
  /** The first request's query parameters; `query.limit` is already within the provider's maximum. */
  readonly firstQuery: (query: PageQuery) => Readonly<Record<string, string>>
  /** The records in the body; undefined when the body is not the documented page shape. */
  readonly records: (body: unknown) => ReadonlyArray<unknown> | undefined
  /** The page-size parameter, set on every request (also on links made with another size). */
  readonly limitParam: string
  readonly maxLimit: number
  /**
   * Polling links (Okta without `until`) never end: an empty page is "caught up for now", and the last link
   * is where to ask again. Bounded links end when `next` is gone.
   */
  readonly polling: boolean
}

const startTarget = (facts: LinkHeaderFacts, query: PageQuery) => {
  const limit = clampLimit(query.limit, facts.maxLimit)
  const params = new URLSearchParams(facts.firstQuery({ ...query, limit }))
  if (params.get(facts.limitParam) !== String(limit)) params.set(facts.limitParam, String(limit))
  return `${facts.path}?${params}`
}

/** `Link: <…>; rel="next"` paging (Okta, GitHub). */
export const linkHeader = (facts: LinkHeaderFacts): Paginator<LinkPosition> => ({
  family: "link_header",
  continuation: linkPosition(facts.path),
  start: (query) => ({ next: startTarget(facts, query) }),
  first: (query) => ({ target: startTarget(facts, query) }),
  next: (continuation, query) =>
    Either.right({
      target: continuation.next,
      query: { [facts.limitParam]: String(clampLimit(query.limit, facts.maxLimit)) },
    }),
  read: (answer, _query, { url: sent }) => {
    const integration = facts.integration
    const records = facts.records(answer.body)
    if (records === undefined) {
      return Either.left(
        new ProviderBadResponse({
          integration,
          message: `${integration} answered something other than its page shape`,
        }),
      )
    }
    const link = nextLink(answer.headers.link)
    if (link === undefined) {
      if (!facts.polling) return Either.right({ records, continuation: undefined, hasMore: false })
      // A polling query always has one; staying at this request would read (and publish) these records again
      // on every poll.
      return Either.left(
        new ProviderBadResponse({
          integration,
          message: `${integration} answered without its rel="next" Link header (stripped by a proxy?); a polling query always has one`,
        }),
      )
    }
    const url = URL.parse(link, sent.href)
    if (url === null) {
      return Either.left(
        new ProviderBadResponse({ integration, message: `${integration} next link is not a URL` }),
      )
    }
    if (url.origin !== sent.origin) {
      return Either.left(
        new ForeignHostRefused({
          integration,
          host: url.host,
          message: `refused ${integration} next link to ${url.host}: the account is configured for ${sent.host}`,
        }),
      )
    }
    if (url.pathname !== facts.path) {
      return Either.left(
        new ProviderBadResponse({ integration, message: `${integration} next link leaves ${facts.path}` }),
      )
    }
    return Either.right({
      records,
      continuation: { next: `${url.pathname}${url.search}` },
      // Polling: `next` is always there, and an empty page is the provider's "caught up for now".
      hasMore: facts.polling ? records.length > 0 : true,
    })
  },
})
