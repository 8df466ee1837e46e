import { Option, Schema } from "effect"

/** Zoom's API error body on every non-2xx answer (the token endpoint answers `{reason, error}` instead). */
export const ZoomError = Schema.Struct({
  code: Schema.Number,
  message: Schema.String,
}).annotations({ identifier: "ZoomError" })
export type ZoomError = typeof ZoomError.Type

/** Zoom's code for a bad request parameter: a bad range, a range beyond history, a dead page token. */
export const INVALID_PARAMETER_CODE = 300

/** The documented wording for a `next_page_token` older than 15 minutes or not from this query. */
export const PAGE_TOKEN_REJECTED = "The next page token is invalid or expired."

/**
 * Whether Zoom refused the page token: the window must then be read again from its first page. Matched on the
 * documented message, since code 300 also stands for a bad date range.
 */
export const isPageTokenRejected = (status: number, body: unknown): boolean => {
  const error = Schema.decodeUnknownOption(ZoomError)(body)
  return (
    status === 400 &&
    Option.isSome(error) &&
    error.value.code === INVALID_PARAMETER_CODE &&
    error.value.message === PAGE_TOKEN_REJECTED
  )
}
