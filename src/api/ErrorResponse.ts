import { Schema } from "effect"
import type { ListActivitiesError } from "../activities/ListActivities.ts"
import { type ApiResponse, json } from "./ApiResponse.ts"

export const ErrorCode = Schema.Literal(
  "unauthorized",
  "invalid_parameter",
  "account_not_found",
  "not_found",
  "method_not_allowed",
  "history_expired",
  "remote_unauthorized",
  "remote_rate_limited",
  "remote_unavailable",
  "remote_invalid_response",
  "remote_refused_host",
  "remote_rejected",
  "remote_timeout",
  "not_implemented",
  "internal",
)
export type ErrorCode = typeof ErrorCode.Type

/** The body of every error answer. */
export const ErrorBody = Schema.Struct({
  error: Schema.Struct({
    code: ErrorCode,
    message: Schema.String.annotations({
      description: "Human-readable; safe to show, never holds credentials.",
    }),
    param: Schema.optional(Schema.String).annotations({
      description: "The query parameter at fault, for invalid_parameter.",
    }),
  }),
}).annotations({ identifier: "Error" })
export type ErrorBody = typeof ErrorBody.Type

export const errorResponse = (
  status: number,
  code: ErrorCode,
  message: string,
  options: { readonly param?: string; readonly headers?: Readonly<Record<string, string>> } = {},
): ApiResponse => {
  const body: ErrorBody = {
    error: { code, message, ...(options.param === undefined ? {} : { param: options.param }) },
  }
  return json(status, body, options.headers)
}

/**
 * The answer for each failure of List Activities. Provider failures are the upstream's fault (502/504),
 * except a rate limit, which the client can act on (429 + Retry-After). Provider error messages hold only
 * the integration, status and what the provider said, so they are returned as they are.
 */
export const listActivitiesErrorResponse = (error: ListActivitiesError): ApiResponse => {
  switch (error._tag) {
    case "InvalidParameter":
      return errorResponse(400, "invalid_parameter", error.message, { param: error.param })
    case "AccountNotFound":
      return errorResponse(404, "account_not_found", error.message)
    case "ProviderHistoryExpired":
      // The cursor's position is gone from the provider: it will never work again, so 410, not 400.
      return errorResponse(
        410,
        "history_expired",
        `${error.message}; start again without next_cursor (or with a later created_at)`,
      )
    case "ProviderUnauthorized":
      return errorResponse(502, "remote_unauthorized", error.message)
    case "ProviderRateLimited":
      return errorResponse(429, "remote_rate_limited", error.message, {
        headers: { "retry-after": String(Math.max(1, Math.ceil(error.retryAfterMs / 1000))) },
      })
    case "ProviderUnavailable":
      return errorResponse(502, "remote_unavailable", error.message)
    case "ProviderBadResponse":
      return errorResponse(502, "remote_invalid_response", error.message)
    case "ForeignHostRefused":
      return errorResponse(502, "remote_refused_host", error.message)
    case "ProviderRejected":
      return errorResponse(502, "remote_rejected", error.message)
    case "ProviderTimeout":
      return errorResponse(504, "remote_timeout", error.message)
    case "ProviderNotImplemented":
      return errorResponse(501, "not_implemented", error.message)
  }
}

export const internalErrorResponse: ApiResponse = errorResponse(500, "internal", "internal error")
