import * as HttpApiSchema from "@effect/platform/HttpApiSchema"
import { Schema } from "effect"
import type { ListActivitiesError } from "../activities/ListActivities.ts"

export const ErrorCode = Schema.Literal(
  "unauthorized",
  "forbidden",
  "invalid_parameter",
  "account_not_found",
  "not_found",
  "method_not_allowed",
  "history_expired",
  "remote_unauthorized",
  "remote_rate_limited",
  "rate_limited",
  "remote_unavailable",
  "remote_invalid_response",
  "remote_refused_host",
  "remote_rejected",
  "remote_timeout",
  "not_implemented",
  "overloaded",
  "internal",
)
export type ErrorCode = typeof ErrorCode.Type

const errorFields = <C extends ReadonlyArray<ErrorCode>>(...codes: C) =>
  Schema.Struct({
    code: Schema.Literal(...codes),
    message: Schema.String.annotations({
      description: "Human-readable; safe to show, never holds credentials.",
    }),
    param: Schema.optional(Schema.String).annotations({
      description: "The query parameter at fault, for invalid_parameter.",
    }),
  })

/**
 * The body of every error answer, `{ error: { code, message, param? } }`, one schema per status: the codes tell
 * the encoder which status an error goes out with, and the typed client which schema a status decodes with.
 */
const errorAt = <C extends ReadonlyArray<ErrorCode>>(
  status: number,
  identifier: string,
  description: string,
  ...codes: C
) =>
  Schema.Struct({ error: errorFields(...codes) }).annotations({
    identifier,
    description,
    ...HttpApiSchema.annotations({ status }),
  })

export const InvalidParameterError = errorAt(
  400,
  "InvalidParameterError",
  "invalid_parameter: a parameter is malformed, unknown, repeated, or not supported by the integration; `param` names it.",
  "invalid_parameter",
)
export const UnauthorizedError = errorAt(
  401,
  "UnauthorizedError",
  "unauthorized: missing or unknown API key.",
  "unauthorized",
)
export const ForbiddenError = errorAt(
  403,
  "ForbiddenError",
  "forbidden: the API key is scoped to other accounts or integrations (server.api_keys[].accounts / integrations).",
  "forbidden",
)
export const AccountNotFoundError = errorAt(
  404,
  "AccountNotFoundError",
  "account_not_found: no such (enabled) integrated account.",
  "account_not_found",
)
export const HistoryExpiredError = errorAt(
  410,
  "HistoryExpiredError",
  "history_expired: the cursor's position is older than the provider keeps.",
  "history_expired",
)
export const RateLimitedError = errorAt(
  429,
  "RateLimitedError",
  "remote_rate_limited: the provider's rate limit is exhausted; rate_limited: the account's share of it for replay (its live stream has priority) or its concurrent replay calls are used up. Retry-After says when to come back.",
  "remote_rate_limited",
  "rate_limited",
)
export const InternalError = errorAt(500, "InternalError", "internal", "internal")
export const NotImplementedError = errorAt(
  501,
  "NotImplementedError",
  "not_implemented: the integration's provider client is not available yet.",
  "not_implemented",
)
export const RemoteError = errorAt(
  502,
  "RemoteError",
  "The provider failed: remote_unauthorized, remote_unavailable, remote_invalid_response, remote_refused_host, remote_rejected.",
  "remote_unauthorized",
  "remote_unavailable",
  "remote_invalid_response",
  "remote_refused_host",
  "remote_rejected",
)
export const OverloadedError = errorAt(
  503,
  "OverloadedError",
  "overloaded: the server is at its cap of concurrent requests (server.max_concurrent_requests); Retry-After says when to come back.",
  "overloaded",
)
export const RemoteTimeoutError = errorAt(
  504,
  "RemoteTimeoutError",
  "remote_timeout: the provider did not answer in time.",
  "remote_timeout",
)

/** Any error body, whatever its status (for answers outside the declared endpoint: 404, 405). */
export const ErrorBody = Schema.Struct({ error: errorFields(...ErrorCode.literals) })
export type ErrorBody = typeof ErrorBody.Type

/** An error as the handlers hand it to the server: the body, its status, and any header that goes with it. */
export interface ErrorResponse {
  readonly status: number
  readonly body: ErrorBody
  readonly headers?: Readonly<Record<string, string>>
}

export const errorResponse = (
  status: number,
  code: ErrorCode,
  message: string,
  options: { readonly param?: string; readonly headers?: Readonly<Record<string, string>> } = {},
): ErrorResponse => ({
  status,
  body: { error: { code, message, ...(options.param === undefined ? {} : { param: options.param }) } },
  ...(options.headers === undefined ? {} : { headers: options.headers }),
})

/** Whole seconds, at least 1: a Retry-After of 0 would invite an immediate retry into the same wall. */
export const retryAfter = (ms: number) => ({ "retry-after": String(Math.max(1, Math.ceil(ms / 1000))) })

/**
 * The answer for each failure of List Activities. Provider failures are the upstream's fault (502/504),
 * except a rate limit, which the client can act on (429 + Retry-After). Provider error messages hold only
 * the integration, status and what the provider said, so they are returned as they are.
 */
export const listActivitiesErrorResponse = (error: ListActivitiesError): ErrorResponse => {
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
        headers: retryAfter(error.retryAfterMs),
      })
    case "ProviderUnavailable":
      return errorResponse(502, "remote_unavailable", error.message)
    case "ProviderBadResponse":
      return errorResponse(502, "remote_invalid_response", error.message)
    case "ForeignHostRefused":
      return errorResponse(502, "remote_refused_host", error.message)
    case "ContinuationRefused":
      return errorResponse(
        502,
        error.host === undefined ? "remote_invalid_response" : "remote_refused_host",
        error.message,
      )
    case "ProviderRejected":
      return errorResponse(502, "remote_rejected", error.message)
    case "ProviderTimeout":
      return errorResponse(504, "remote_timeout", error.message)
    case "ProviderNotImplemented":
      return errorResponse(501, "not_implemented", error.message)
  }
}
