import { describe, expect, it } from "@effect/vitest"
import { AccountNotFound, InvalidParameter } from "../../src/activities/ListActivitiesError.ts"
import { listActivitiesErrorResponse } from "../../src/api/ErrorResponse.ts"
import {
  ContinuationRefused,
  ForeignHostRefused,
  ProviderBadResponse,
  ProviderHistoryExpired,
  ProviderNotImplemented,
  ProviderRateLimited,
  ProviderRejected,
  ProviderTimeout,
  ProviderUnauthorized,
  ProviderUnavailable,
} from "../../src/http/ProviderError.ts"

const integration = "okta"

describe("listActivitiesErrorResponse", () => {
  it.each([
    [new InvalidParameter({ param: "action", message: "m" }), 400, "invalid_parameter"],
    [new AccountNotFound({ accountId: "a", message: "m" }), 404, "account_not_found"],
    [new ProviderUnauthorized({ integration, status: 401, message: "m" }), 502, "remote_unauthorized"],
    [new ProviderUnavailable({ integration, status: 503, message: "m" }), 502, "remote_unavailable"],
    [new ProviderBadResponse({ integration, message: "m" }), 502, "remote_invalid_response"],
    [new ForeignHostRefused({ integration, host: "evil.example", message: "m" }), 502, "remote_refused_host"],
    [new ContinuationRefused({ integration, message: "m" }), 502, "remote_invalid_response"],
    [
      new ContinuationRefused({ integration, host: "evil.example", message: "m" }),
      502,
      "remote_refused_host",
    ],
    [new ProviderRejected({ integration, status: 400, message: "m" }), 502, "remote_rejected"],
    [new ProviderTimeout({ integration, timeoutMs: 1000, message: "m" }), 504, "remote_timeout"],
    [new ProviderNotImplemented({ integration, message: "m" }), 501, "not_implemented"],
    [new ProviderHistoryExpired({ integration, message: "m" }), 410, "history_expired"],
  ] as const)("%s → %i %s", (error, status, code) => {
    const response = listActivitiesErrorResponse(error)
    expect(response.status).toBe(status)
    expect(response.body).toMatchObject({ error: { code } })
  })

  it("names the parameter of an invalid_parameter", () => {
    expect(listActivitiesErrorResponse(new InvalidParameter({ param: "entity", message: "m" })).body).toEqual(
      {
        error: { code: "invalid_parameter", message: "m", param: "entity" },
      },
    )
  })

  it("turns a rate limit into 429 with Retry-After in whole seconds, at least 1", () => {
    const limited = (retryAfterMs: number) =>
      listActivitiesErrorResponse(new ProviderRateLimited({ integration, retryAfterMs, message: "m" }))
    expect(limited(61_200)).toMatchObject({ status: 429, headers: { "retry-after": "62" } })
    expect(limited(0)).toMatchObject({ status: 429, headers: { "retry-after": "1" } })
  })
})
