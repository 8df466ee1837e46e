import { Effect, Option, Redacted, Schema } from "effect"
import { withAuthorization } from "../../auth/Authorization.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import {
  ForeignHostRefused,
  ProviderBadResponse,
  ProviderHistoryExpired,
  type ProviderRejected,
} from "../../http/ProviderError.ts"
import { ProviderHttp } from "../../http/ProviderHttp.ts"
import type { Page, PageRequest } from "../ProviderAdapter.ts"
import { nextLink } from "./nextLink.ts"
import { OktaError } from "./OktaLogEvent.ts"
import { LOGS_PATH, type OktaPosition } from "./OktaPosition.ts"
import { matchesNothing, pageLimit, startQuery } from "./startQuery.ts"

/** Only the code and summary: Okta's `errorCauses` vary in shape and are not needed to say what went wrong. */
const OktaErrorSummary = OktaError.pipe(Schema.pick("errorCode", "errorSummary"))

const describeError = (body: unknown) =>
  Option.match(Schema.decodeUnknownOption(OktaErrorSummary)(body), {
    onNone: () => ({}),
    onSome: (error) => ({ code: error.errorCode, message: error.errorSummary }),
  })

/**
 * A path+query (a stored position or Okta's next link) resolved against the account's own domain. Anything
 * that lands on another origin (`//host/…`, an absolute URL) is refused here, before any request is made.
 */
const onAccountDomain = (target: string, account: IntegratedAccount, what: string) =>
  Effect.gen(function* () {
    const url = URL.parse(target, account.baseUrl.href)
    if (url === null) {
      return yield* new ProviderBadResponse({ integration: "okta", message: `okta ${what} is not a URL` })
    }
    if (url.origin !== account.baseUrl.origin) {
      return yield* new ForeignHostRefused({
        integration: "okta",
        host: url.host,
        message: `refused okta ${what} to ${url.host}: account ${account.id} is configured for ${account.baseUrl.host}`,
      })
    }
    if (url.pathname !== LOGS_PATH) {
      return yield* new ProviderBadResponse({
        integration: "okta",
        message: `okta ${what} leaves ${LOGS_PATH}`,
      })
    }
    return url
  })

/** Okta answers a `since` beyond its 180-day limit with 400 E0000053, the code it also uses for bad filters. */
const historyExpired = (
  error: ProviderRejected,
): Effect.Effect<never, ProviderRejected | ProviderHistoryExpired> =>
  error.status === 400 && error.code === "E0000053" && /\bsince parameter\b|\btoo far\b/i.test(error.message)
    ? Effect.fail(new ProviderHistoryExpired({ integration: "okta", message: error.message }))
    : Effect.fail(error)

/** One page of the account's System Log, oldest first, as raw LogEvents, plus the position after it. */
export const fetchPage = (request: PageRequest<OktaPosition>) =>
  Effect.gen(function* () {
    const { account, filters, limit } = request
    const position = request.position ?? { next: startQuery(filters, limit, Date.now()) }
    if (matchesNothing(filters)) {
      // No Okta event maps to this action, so no page can hold one: answer empty without spending quota.
      return { records: [], next: position, hasMore: false } satisfies Page<OktaPosition>
    }
    const url = yield* onAccountDomain(position.next, account, "position")
    // The caller's limit bounds every page, also when a stored next link was made with another one.
    const pageSize = String(pageLimit(limit))
    if (url.searchParams.get("limit") !== pageSize) url.searchParams.set("limit", pageSize)

    const http = yield* ProviderHttp
    const response = yield* withAuthorization(account, (authorization) =>
      http.send({
        account,
        url,
        headers: { Authorization: Redacted.value(authorization), Accept: "application/json" },
        describeError,
      }),
    ).pipe(Effect.catchTag("ProviderRejected", historyExpired))
    if (!Array.isArray(response.body)) {
      return yield* new ProviderBadResponse({
        integration: "okta",
        message: "okta System Log answered something other than an array",
      })
    }
    const records: ReadonlyArray<unknown> = response.body
    const link = nextLink(response.headers.link)
    if (link === undefined) {
      // Only a bounded query ends without `next`; ours are polling queries, which always have one. Staying
      // at this request would read (and publish) these records again on every poll.
      return yield* new ProviderBadResponse({
        integration: "okta",
        message:
          'okta System Log answered without its rel="next" Link header (stripped by a proxy?); a polling query always has one',
      })
    }
    const next = yield* onAccountDomain(link, account, "next link")
    return {
      records,
      next: { next: `${next.pathname}${next.search}` },
      // In polling mode `next` is always present; an empty page is Okta's "caught up for now".
      hasMore: records.length > 0,
    } satisfies Page<OktaPosition>
  })
