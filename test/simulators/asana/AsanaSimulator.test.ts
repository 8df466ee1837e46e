import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startAsanaSimulator } from "../../../src/simulators/asana/AsanaSimulator.ts"

// The simulator speaks Asana's protocol as documented: the path, Bearer auth, the error envelope, next_page
// (null only when nothing matches), offsets bound to their filters, limit 1–100, 429 with Retry-After only.

const get = (base: string, path: string, token?: string) =>
  Effect.promise(async () => {
    const response = await fetch(new URL(path, base), {
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    })
    // biome-ignore lint/suspicious/noExplicitAny: the test reads Asana's JSON as the wire gives it.
    return { status: response.status, headers: response.headers, body: (await response.json()) as any }
  })

describe("the Asana simulator", () => {
  it.scopedLive(
    "pages oldest first by offset, keeps next_page on an empty page, and answers null only when nothing matches",
    () =>
      Effect.gen(function* () {
        const sim = yield* startAsanaSimulator({ seed: 2, historySize: 7 })
        const token = sim.credentials.access_token
        const path = `/api/1.0/workspaces/${sim.workspaceGid}/audit_log_events`
        const first = yield* get(sim.baseUrl, `${path}?limit=5`, token)
        expect(first.status).toBe(200)
        expect(first.body.data).toHaveLength(5)
        expect(first.body.next_page).toMatchObject({
          offset: expect.any(String),
          path: expect.stringContaining("/workspaces/"),
        })
        expect(first.body.next_page.uri).toBe(`${sim.baseUrl}/api/1.0${first.body.next_page.path}`)
        const times = first.body.data.map((e: { created_at: string }) => Date.parse(e.created_at))
        expect([...times].sort((a, b) => a - b)).toEqual(times)
        const second = yield* get(sim.baseUrl, `${path}?limit=5&offset=${first.body.next_page.offset}`, token)
        expect(second.body.data).toHaveLength(2)
        const caughtUp = yield* get(
          sim.baseUrl,
          `${path}?limit=5&offset=${second.body.next_page.offset}`,
          token,
        )
        expect(caughtUp.body.data).toEqual([])
        expect(caughtUp.body.next_page.offset).toEqual(expect.any(String))
        const none = yield* get(sim.baseUrl, `${path}?event_type=no_such_event`, token)
        expect(none.body).toEqual({ data: [], next_page: null })
        // An offset sent with other filters, a limit beyond 100: 400 in Asana's envelope.
        const moved = yield* get(
          sim.baseUrl,
          `${path}?limit=5&event_type=user_login_failed&offset=${first.body.next_page.offset}`,
          token,
        )
        expect(moved.status).toBe(400)
        expect(moved.body.errors[0]).toMatchObject({
          message: expect.stringContaining("offset"),
          help: expect.any(String),
        })
        expect((yield* get(sim.baseUrl, `${path}?limit=101`, token)).status).toBe(400)
      }),
  )

  it.scopedLive(
    "401 without the token, 403 for another workspace, 429 with Retry-After and no X-RateLimit headers",
    () =>
      Effect.gen(function* () {
        const sim = yield* startAsanaSimulator({ seed: 2, historySize: 3, requestsPerMinute: 2 })
        const path = `/api/1.0/workspaces/${sim.workspaceGid}/audit_log_events`
        const anonymous = yield* get(sim.baseUrl, path)
        expect(anonymous.status).toBe(401)
        expect(anonymous.body.errors[0].message).toBe("Not Authorized")
        const token = sim.credentials.access_token
        expect(
          (yield* get(sim.baseUrl, "/api/1.0/workspaces/1200000000000999/audit_log_events", token)).status,
        ).toBe(403)
        yield* get(sim.baseUrl, path, token)
        const limited = yield* get(sim.baseUrl, path, token)
        expect(limited.status).toBe(429)
        expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0)
        expect(limited.headers.get("x-ratelimit-limit")).toBeNull()
        expect(limited.body.errors[0].message).toMatch(/rate limit/)
      }),
  )
})
