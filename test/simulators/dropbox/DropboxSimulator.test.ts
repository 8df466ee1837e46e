import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { startDropboxSimulator } from "../../../src/simulators/dropbox/DropboxSimulator.ts"

// The simulated Dropbox team's protocol as documented, spoken to with plain fetch.

const NOW = Date.parse("2026-03-02T12:00:00Z")

const post = (url: string, body: unknown, token?: string, contentType = "application/json") =>
  Effect.promise(async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: {
        "Content-Type": contentType,
        ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
      },
      body: typeof body === "string" ? body : JSON.stringify(body),
    })
    return {
      status: response.status,
      headers: response.headers,
      // biome-ignore lint/suspicious/noExplicitAny: the test reads Dropbox's JSON answers field by field.
      body: (await response.json()) as Record<string, any>,
    }
  })

describe("Dropbox simulator", () => {
  it.scoped("refresh-token grant at /oauth2/token; the issued token reads the log", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* startDropboxSimulator({ historySize: 5 })
      const form = new URLSearchParams({ grant_type: "refresh_token", ...sim.credentials })
      const token = yield* post(
        sim.settings.token_url,
        form.toString(),
        undefined,
        "application/x-www-form-urlencoded",
      )
      expect(token.status).toBe(200)
      expect(token.body).toMatchObject({ token_type: "bearer", expires_in: 14400 })
      const wrong = new URLSearchParams({ ...Object.fromEntries(form), refresh_token: "nope" })
      const refused = yield* post(
        sim.settings.token_url,
        wrong.toString(),
        undefined,
        "application/x-www-form-urlencoded",
      )
      expect(refused).toMatchObject({ status: 400, body: { error: "invalid_grant" } })
      const page = yield* post(`${sim.baseUrl}/2/team_log/get_events`, {}, token.body.access_token)
      expect(page.status).toBe(200)
      expect(page.body.events).toHaveLength(5)
      expect(page.body.has_more).toBe(false)
      yield* TestClock.adjust("5 hours")
      const expired = yield* post(`${sim.baseUrl}/2/team_log/get_events`, {}, token.body.access_token)
      expect(expired).toMatchObject({ status: 401, body: { error: { ".tag": "expired_access_token" } } })
    }),
  )

  it.scoped("route errors in Dropbox's shape; the cursor changes on every answer", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* startDropboxSimulator({ historySize: 5 })
      const url = `${sim.baseUrl}/2/team_log/get_events`
      const t = sim.accessToken
      expect((yield* post(url, {}, "bad")).body).toEqual({
        error_summary: "invalid_access_token/..",
        error: { ".tag": "invalid_access_token" },
      })
      expect(
        (yield* post(url, { category: { ".tag": "logins" }, event_type: { ".tag": "logout" } }, t)).body,
      ).toMatchObject({ error: { ".tag": "invalid_filters" } })
      const range = { time: { start_time: "2026-03-02T12:00:00Z", end_time: "2026-03-01T12:00:00Z" } }
      expect((yield* post(url, range, t)).status).toBe(409)
      expect((yield* post(url, { account_id: `dbid:${"x".repeat(35)}` }, t)).body).toMatchObject({
        error: { ".tag": "account_id_not_found" },
      })
      expect((yield* post(url, { limit: 1001 }, t)).status).toBe(400)
      expect((yield* post(url, {}, t, "text/plain")).status).toBe(400)
      const first = yield* post(url, { limit: 2 }, t)
      const second = yield* post(`${url}/continue`, { cursor: first.body.cursor }, t)
      expect(second.body.cursor).not.toBe(first.body.cursor)
      expect((yield* post(`${url}/continue`, { cursor: "x" }, t)).body).toMatchObject({
        error: { ".tag": "bad_cursor" },
      })
      sim.resetCursors()
      const reset = yield* post(`${url}/continue`, { cursor: second.body.cursor }, t)
      expect(reset.status).toBe(409)
      expect(reset.body.error[".tag"]).toBe("reset")
      expect(reset.body.error.reset).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/)
      sim.forceRateLimited(1, 2000)
      const limited = yield* post(url, {}, t)
      expect(limited.status).toBe(429)
      expect(limited.headers.get("retry-after")).toBe("2")
      expect(limited.body).toMatchObject({
        error: { reason: { ".tag": "too_many_requests" }, retry_after: 2 },
      })
    }),
  )
})
