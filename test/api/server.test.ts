import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { ActionValues } from "../../src/domain/Activity.ts"
import { activitiesPath, get, listActivities, TestApiServer, testApiLayer } from "./apiTestKit.ts"

layer(testApiLayer, { excludeTestServices: true })("HTTP API server", (it) => {
  describe("authentication on the activities endpoint", () => {
    it.effect("answers 401 with a Bearer challenge when the Authorization header is missing", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const answer = yield* get(
          api,
          activitiesPath,
          { integrated_account_id: api.accountOf.okta },
          { auth: false },
        )
        expect(answer.status).toBe(401)
        expect(answer.body.error.code).toBe("unauthorized")
        expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer\b/)
        expect(answer.headers.get("content-type")).toBe("application/json")
      }),
    )

    it.effect(
      "answers 401 invalid_token for a wrong key, a key of another scheme, and a prefix of a valid key",
      () =>
        Effect.gen(function* () {
          const api = yield* TestApiServer
          const params = { integrated_account_id: api.accountOf.okta }
          for (const auth of [
            `Bearer ${api.apiKey}x`,
            `Bearer ${api.apiKey.slice(0, -1)}`,
            `Basic ${api.apiKey}`,
            "Bearer",
          ]) {
            const answer = yield* get(api, activitiesPath, params, { auth })
            expect(answer.status, auth).toBe(401)
            expect(answer.body.error.code).toBe("unauthorized")
            expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer\b/)
          }
          const wrong = yield* get(api, activitiesPath, params, { auth: "Bearer not-the-key-at-all-123" })
          expect(wrong.headers.get("www-authenticate")).toContain('error="invalid_token"')
        }),
    )

    it.effect("lets the right key through (the scheme is case-insensitive)", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const params = { integrated_account_id: api.accountOf.okta, limit: "1" }
        const answer = yield* get(api, activitiesPath, params)
        expect(answer.status).toBe(200)
        expect(Array.isArray(answer.body.result)).toBe(true)
        const lower = yield* get(api, activitiesPath, params, { auth: `bearer ${api.apiKey}` })
        expect(lower.status).toBe(200)
      }),
    )

    it.effect("checks the key before the query: an unauthenticated bad query is still 401", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const answer = yield* get(api, activitiesPath, { nonsense: "1" }, { auth: false })
        expect(answer.status).toBe(401)
      }),
    )
  })

  describe("query validation", () => {
    const expectInvalid = (params: Record<string, string>, param: string, messagePart?: string) =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const answer = yield* listActivities(api, params)
        expect(answer.status, JSON.stringify(answer.body)).toBe(400)
        expect(answer.body.error.code).toBe("invalid_parameter")
        expect(answer.body.error.param).toBe(param)
        if (messagePart !== undefined) expect(answer.body.error.message).toContain(messagePart)
        return answer
      })

    it.effect("requires integrated_account_id, as a uuid", () =>
      Effect.gen(function* () {
        yield* expectInvalid({}, "integrated_account_id", "required")
        yield* expectInvalid({ integrated_account_id: "not-a-uuid" }, "integrated_account_id", "uuid")
        yield* expectInvalid(
          { integrated_account_id: "62f44730-dd91-461e-bd6a-aedd9e0ad79" },
          "integrated_account_id",
        )
      }),
    )

    it.effect("answers 404 account_not_found for a well-formed but unknown account", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const answer = yield* listActivities(api, {
          integrated_account_id: "62f44730-dd91-461e-bd6a-aedd9e0ad79d",
        })
        expect(answer.status).toBe(404)
        expect(answer.body.error.code).toBe("account_not_found")
      }),
    )

    it.effect("answers 404 for a configured account that is disabled, without calling the provider", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const sent = api.okta.requests().length
        const answer = yield* listActivities(api, { integrated_account_id: api.disabledAccount })
        expect(answer.status).toBe(404)
        expect(answer.body.error).toMatchObject({
          code: "account_not_found",
          message: expect.stringContaining("disabled"),
        })
        expect(api.okta.requests().length).toBe(sent)
      }),
    )

    it.effect("finds the account whatever the case of its uuid", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const answer = yield* listActivities(api, {
          integrated_account_id: api.accountOf.okta.toUpperCase(),
          limit: "1",
        })
        expect(answer.status).toBe(200)
      }),
    )

    it.effect("rejects a malformed or impossible created_at with param created_at", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const account = api.accountOf.okta
        for (const created_at of [
          "yesterday",
          "2024-01-01",
          "2024-01-01T10:00:00",
          "2024-02-30T00:00:00Z",
          "2024-01-01T25:00:00Z",
          "",
        ]) {
          yield* expectInvalid({ integrated_account_id: account, created_at }, "created_at")
        }
      }),
    )

    it.effect("accepts RFC 3339 date-times with offsets and fractions", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        for (const created_at of [
          "2024-01-01T10:00:00Z",
          "2024-01-01T10:00:00.123456+05:30",
          "2024-01-01t10:00:00-01:00",
        ]) {
          const answer = yield* listActivities(api, {
            integrated_account_id: api.accountOf.okta,
            created_at,
            limit: "1",
          })
          expect(answer.status, created_at).toBe(200)
        }
      }),
    )

    it.effect("reads an offset whose + the client did not percent-encode", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const query = `integrated_account_id=${api.accountOf.okta}&created_at=2024-01-01T10:00:00+05:30&limit=1`
        const answer = yield* get(api, activitiesPath, query)
        expect(answer.status, JSON.stringify(answer.body)).toBe(200)
      }),
    )

    it.effect("rejects an action outside the unified enum", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const answer = yield* expectInvalid(
          { integrated_account_id: api.accountOf.okta, action: "user.session.start" },
          "action",
        )
        for (const value of ActionValues) expect(answer.body.error.message).toContain(value)
      }),
    )

    it.effect("rejects unknown parameters, naming them", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const answer = yield* expectInvalid(
          { integrated_account_id: api.accountOf.okta, cursor: "x", page: "2" },
          "cursor",
        )
        expect(answer.body.error.message).toContain("cursor")
        expect(answer.body.error.message).toContain("page")
      }),
    )

    it.effect("rejects a repeated parameter", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const query = `integrated_account_id=${api.accountOf.okta}&action=login&action=logout`
        const answer = yield* get(api, activitiesPath, query)
        expect(answer.status).toBe(400)
        expect(answer.body.error).toMatchObject({ code: "invalid_parameter", param: "action" })
      }),
    )

    it.effect("validates limit: an integer from 1 to 200", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        for (const limit of ["0", "201", "2.5", "ten", ""]) {
          yield* expectInvalid({ integrated_account_id: api.accountOf.okta, limit }, "limit")
        }
        const answer = yield* listActivities(api, { integrated_account_id: api.accountOf.okta, limit: "3" })
        expect(answer.status).toBe(200)
        expect(answer.body.result).toHaveLength(3)
      }),
    )

    it.effect("rejects a next_cursor that is not one of ours", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        yield* expectInvalid({ integrated_account_id: api.accountOf.okta, next_cursor: "abc" }, "next_cursor")
        yield* expectInvalid(
          { integrated_account_id: api.accountOf.okta, next_cursor: "not base64url!" },
          "next_cursor",
        )
      }),
    )
  })

  describe("other routes", () => {
    it.effect("/healthz answers 200 {status: ok} without a key (on the management listener)", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const answer = yield* get({ ...api, url: api.managementUrl }, "/healthz", {}, { auth: false })
        expect(answer.status).toBe(200)
        expect(answer.body).toEqual({ status: "ok" })
      }),
    )

    it.effect("unknown paths are 404 JSON, other methods 405 with Allow: GET", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const missing = yield* get(api, "/unified/user-directory/users")
        expect(missing.status).toBe(404)
        expect(missing.body.error.code).toBe("not_found")
        expect(missing.headers.get("content-type")).toBe("application/json")
        for (const method of ["POST", "DELETE", "PUT"]) {
          const answer = yield* get(
            api,
            activitiesPath,
            { integrated_account_id: api.accountOf.okta },
            { method },
          )
          expect(answer.status).toBe(405)
          expect(answer.headers.get("allow")).toBe("GET")
          expect(answer.body.error.code).toBe("method_not_allowed")
        }
      }),
    )

    it.effect("logs each request with method, path, status and duration, never the query or the key", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const marker = "cursor-that-must-not-be-logged"
        yield* listActivities(api, { integrated_account_id: api.accountOf.okta, next_cursor: marker })
        const line = api
          .logs()
          .filter((l) => l.message === "http request")
          .at(-1)
        expect(line?.annotations).toMatchObject({ method: "GET", path: activitiesPath, status: 400 })
        expect(typeof line?.annotations.duration_ms).toBe("number")
        const everything = JSON.stringify(api.logs())
        expect(everything).not.toContain(marker)
        expect(everything).not.toContain(api.apiKey)
      }),
    )
  })
})
