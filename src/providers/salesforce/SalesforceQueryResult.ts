import { Duration, Option, Schema } from "effect"
import { type ProviderError, ProviderRateLimited } from "../../http/ProviderError.ts"

// The REST API's query answer (`GET /services/data/vXX.X/query?q=…` and its `nextRecordsUrl`) and its error
// body. Records stay unknown here: each stream decodes its own (SalesforceLoginHistory, SalesforceSetupAuditTrail).

/** `{type, url}` on every record: `url` is `/services/data/vXX.X/sobjects/<Type>/<Id>`. */
export const SObjectAttributes = Schema.Struct({
  type: Schema.String,
  url: Schema.String,
}).annotations({ identifier: "SObjectAttributes" })

export const SalesforceQueryResult = Schema.Struct({
  /** Every record the query matches, not the count on this page. */
  totalSize: Schema.Number,
  /** False while `nextRecordsUrl` has more. */
  done: Schema.Boolean,
  /** A path, e.g. `/services/data/v62.0/query/01gRO0000016PIAYA2-2000`; absent on the last batch. */
  nextRecordsUrl: Schema.optional(Schema.NullOr(Schema.String)),
  records: Schema.Array(Schema.Unknown),
}).annotations({ identifier: "SalesforceQueryResult" })
export type SalesforceQueryResult = typeof SalesforceQueryResult.Type

const decodeResult = Schema.decodeUnknownOption(SalesforceQueryResult)

/**
 * One batch as the contract's query-result-URL paginator reads it (`read`): records, the next batch's URL and
 * `done`. Undefined (a bad response) for anything else, including `done: false` without a `nextRecordsUrl`,
 * which would otherwise end a read early without a word.
 */
export const readQueryResult = (
  body: unknown,
):
  | { readonly records: ReadonlyArray<unknown>; readonly nextUrl?: string; readonly done: boolean }
  | undefined =>
  Option.getOrUndefined(
    Option.flatMap(decodeResult(body), (result) =>
      result.done
        ? Option.some({ records: result.records, done: true })
        : result.nextRecordsUrl
          ? Option.some({ records: result.records, nextUrl: result.nextRecordsUrl, done: false })
          : Option.none(),
    ),
  )

/** REST errors are an array of these, e.g. `[{"message":"Session expired or invalid","errorCode":"INVALID_SESSION_ID"}]`. */
export const SalesforceError = Schema.Struct({
  message: Schema.String,
  errorCode: Schema.String,
  fields: Schema.optional(Schema.Array(Schema.String)),
}).annotations({ identifier: "SalesforceError" })
export type SalesforceError = typeof SalesforceError.Type

export const SalesforceErrors = Schema.NonEmptyArray(SalesforceError)

/** Error codes the tailing reacts to. */
export const ErrorCodes = {
  /** 401: the session ended (org policy, revoked): get a new token and retry once. */
  invalidSession: "INVALID_SESSION_ID",
  /** 403: the org's rolling 24-hour API allocation is spent; there is no Retry-After. */
  requestLimitExceeded: "REQUEST_LIMIT_EXCEEDED",
} as const

/** The first error of a Salesforce error body, if the body is one. */
export const salesforceErrorOf = (body: unknown): SalesforceError | undefined =>
  Option.getOrUndefined(Option.map(Schema.decodeUnknownOption(SalesforceErrors)(body), (errors) => errors[0]))

/** For ProviderHttp's `describeError`: the first error's code and message. */
export const describeSalesforceError = (body: unknown): { code?: string; message?: string } => {
  const error = salesforceErrorOf(body)
  return error === undefined ? {} : { code: error.errorCode, message: error.message }
}

/**
 * Salesforce's daily allocation is spent: a 403, not a 429, so a generic client reads it as a refused
 * credential. It is a rate limit (rolling 24 h, no Retry-After): back off hard, do not renew the token.
 */
export const isRequestLimitExceeded = (status: number, body: unknown): boolean =>
  status === 403 && salesforceErrorOf(body)?.errorCode === ErrorCodes.requestLimitExceeded

/** How long to stay away after REQUEST_LIMIT_EXCEEDED: the allocation is a rolling 24 hours with no Retry-After. */
export const REQUEST_LIMIT_BACKOFF = Duration.hours(1)

/**
 * For the stream's `classifyError`: ProviderHttp reads every 403 as a refused credential, but Salesforce's
 * REQUEST_LIMIT_EXCEEDED is its daily rate limit. Recognised by the code `describeSalesforceError` put in the
 * message.
 */
export const classifySalesforceError = (error: ProviderError): ProviderError =>
  error._tag === "ProviderUnauthorized" &&
  error.status === 403 &&
  error.message.includes(ErrorCodes.requestLimitExceeded)
    ? new ProviderRateLimited({
        integration: error.integration,
        retryAfterMs: Duration.toMillis(REQUEST_LIMIT_BACKOFF),
        message: error.message,
      })
    : error
