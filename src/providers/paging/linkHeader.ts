import { Either, Schema } from "effect"
import { ForeignHostRefused, ProviderBadResponse } from "../../http/ProviderError.ts"
import { nextLink } from "./nextLink.ts"
import { clampLimit, type PageQuery, type Paginator } from "./Paginator.ts"

/** Where to continue: the path and query of the provider's `rel="next"` link, never its host. */
export const linkPosition = (path: string) =>
  Schema.Struct({ next: Schema.String.pipe(Schema.startsWith(`${path}?`)) })
export type LinkPosition = { readonly next: string }

/** A position on a path of the account's own (checked against the stream's `paths` when sent). */
const anyPathPosition = Schema.Struct({ next: Schema.String.pipe(Schema.startsWith("/")) })

export interface LinkHeaderFacts {
  readonly integration: string
  /**
   * The one path the stream pages on; a continuation or link elsewhere is refused. A function of the query
   * where the path names the account's tenant (GitHub's `/orgs/{org}/audit-log`).
   */
  readonly path: string | ((query: PageQuery) => string)
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
  /**
   * For links that cannot be followed as they are: only these parameters (the cursor) are taken from
   * `rel="next"` and sent with the read's own first query, on the stream's own path. GitHub's audit-log links
   * name the organization by id (`/organizations/{id}/audit-log`) and were seen to mangle `phrase`. Undefined:
   * the link is followed as it is, and must stay on `path`.
   */
  readonly cursorParams?: ReadonlyArray<string>
  /** Headers every request carries beside Authorization (a media type, an API version). */
  readonly headers?: Readonly<Record<string, string>>
}

const pathOf = (facts: LinkHeaderFacts, query: PageQuery) =>
  typeof facts.path === "string" ? facts.path : facts.path(query)

const startParams = (facts: LinkHeaderFacts, query: PageQuery) => {
  const limit = clampLimit(query.limit, facts.maxLimit)
  const params = new URLSearchParams(facts.firstQuery({ ...query, limit }))
  if (params.get(facts.limitParam) !== String(limit)) params.set(facts.limitParam, String(limit))
  return params
}

const startTarget = (facts: LinkHeaderFacts, query: PageQuery) =>
  `${pathOf(facts, query)}?${startParams(facts, query)}`

/** `Link: <…>; rel="next"` paging (Okta, GitHub). */
export const linkHeader = (facts: LinkHeaderFacts): Paginator<LinkPosition> => ({
  family: "link_header",
  continuation: typeof facts.path === "string" ? linkPosition(facts.path) : anyPathPosition,
  start: (query) => ({ next: startTarget(facts, query) }),
  first: (query) => ({
    target: startTarget(facts, query),
    ...(facts.headers === undefined ? {} : { headers: facts.headers }),
  }),
  next: (continuation, query) =>
    Either.right({
      target: continuation.next,
      query: { [facts.limitParam]: String(clampLimit(query.limit, facts.maxLimit)) },
      ...(facts.headers === undefined ? {} : { headers: facts.headers }),
    }),
  read: (answer, query, { url: sent }) => {
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
    const path = pathOf(facts, query)
    // Polling: `next` is always there, and an empty page is the provider's "caught up for now".
    const hasMore = facts.polling ? records.length > 0 : true
    if (facts.cursorParams !== undefined) {
      const params = startParams(facts, query)
      let found = false
      for (const name of facts.cursorParams) {
        const value = url.searchParams.get(name)
        if (value) {
          params.set(name, value)
          found = true
        }
      }
      if (!found) {
        return Either.left(
          new ProviderBadResponse({
            integration,
            message: `${integration} next link carries no cursor (${facts.cursorParams.join(", ")})`,
          }),
        )
      }
      return Either.right({ records, continuation: { next: `${path}?${params}` }, hasMore })
    }
    if (url.pathname !== path) {
      return Either.left(
        new ProviderBadResponse({ integration, message: `${integration} next link leaves ${path}` }),
      )
    }
    return Either.right({ records, continuation: { next: `${url.pathname}${url.search}` }, hasMore })
  },
})
