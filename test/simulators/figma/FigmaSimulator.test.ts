import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startFigmaSimulator } from "../../../src/simulators/figma/FigmaSimulator.ts"

// The simulator speaks Figma's protocol: its refresh endpoint with the client as Basic, Bearer tokens scoped to
// the activity log alone, the page envelope and cursor, its error body and its 429 headers.

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field below.
type Json = any

const call = (url: string, init: RequestInit = {}) =>
  Effect.promise(async () => {
    const response = await fetch(url, init)
    return { status: response.status, headers: response.headers, body: (await response.json()) as Json }
  })

describe("figma simulator", () => {
  it.scopedLive(
    "refresh: Basic client auth and the refresh token give a new Bearer token the list accepts",
    () =>
      Effect.gen(function* () {
        const sim = yield* startFigmaSimulator({ seed: 5, historySize: 12 })
        const { client_id, client_secret, refresh_token } = sim.credentials
        const basic = `Basic ${Buffer.from(`${client_id}:${client_secret}`).toString("base64")}`
        const form = { "content-type": "application/x-www-form-urlencoded" }
        const refused = yield* call(sim.settings.token_url, {
          method: "POST",
          headers: {
            ...form,
            authorization: `Basic ${Buffer.from(`${client_id}:wrong`).toString("base64")}`,
          },
          body: new URLSearchParams({ grant_type: "refresh_token", refresh_token }).toString(),
        })
        expect(refused.status).toBe(401)
        expect(refused.body).toEqual({ error: true, status: 401, message: expect.any(String) })
        const granted = yield* call(sim.settings.token_url, {
          method: "POST",
          headers: { ...form, authorization: basic },
          body: new URLSearchParams({ grant_type: "refresh_token", refresh_token }).toString(),
        })
        expect(granted.status).toBe(200)
        expect(granted.body).toEqual({ access_token: expect.any(String), expires_in: expect.any(Number) })
        const page = yield* call(`${sim.baseUrl}/v1/activity_logs?limit=5`, {
          headers: { authorization: `Bearer ${granted.body.access_token}` },
        })
        expect(page.status).toBe(200)
        expect(page.body).toMatchObject({ status: 200, error: false, i18n: null })
        expect(page.body.meta.activity_logs).toHaveLength(5)
        expect(page.body.meta.next_page).toBe(true)
        expect(page.body.meta.cursor).toEqual(expect.any(String))
      }),
  )

  it.scopedLive(
    "errors in Figma's shape: bad token 401, other scope 403, bad params and cursor 400, 429 headers",
    () =>
      Effect.gen(function* () {
        const sim = yield* startFigmaSimulator({ seed: 6, historySize: 3 })
        const list = (query: string, token = sim.accessToken) =>
          call(`${sim.baseUrl}/v1/activity_logs${query}`, { headers: { authorization: `Bearer ${token}` } })
        expect((yield* list("", "nope")).body).toEqual({
          error: true,
          status: 401,
          message: expect.any(String),
        })
        expect((yield* list("", sim.otherScopeToken)).status).toBe(403)
        expect((yield* list("?limit=1001")).status).toBe(400)
        expect((yield* list("?start_time=2024-01-01")).status).toBe(400)
        const first = yield* list("?limit=1")
        sim.expireCursors()
        const stale = yield* list(`?cursor=${first.body.meta.cursor}`)
        expect(stale.body).toEqual({ error: true, status: 400, message: expect.stringMatching(/cursor/) })
        sim.forceRateLimited(1, 2_000)
        const limited = yield* list("")
        expect(limited.status).toBe(429)
        expect(limited.body).toEqual({ error: true, status: 429, message: expect.any(String) })
        // Whole seconds until the reset, which lies 2 s ahead rounded up to a whole second.
        expect(["2", "3"]).toContain(limited.headers.get("retry-after"))
        expect(limited.headers.get("x-figma-plan-tier")).toBe("enterprise")
        expect(limited.headers.get("x-figma-rate-limit-type")).toBe("high")
        expect(limited.headers.get("x-figma-upgrade-link")).toEqual(expect.any(String))
      }),
  )

  it.scopedLive(
    "events filter, inclusive seconds, desc order; the last page's cursor later yields new events",
    () =>
      Effect.gen(function* () {
        const sim = yield* startFigmaSimulator({ seed: 7, historySize: 40 })
        const list = (query: string) =>
          call(`${sim.baseUrl}/v1/activity_logs${query}`, {
            headers: { authorization: `Bearer ${sim.accessToken}` },
          })
        const all = sim.events() as Array<{ id: string; timestamp: number; action: { type: string } }>
        const signIns = yield* list("?events=user_sign_in,org_user_create")
        expect(signIns.body.meta.activity_logs.map((e: { id: string }) => e.id)).toEqual(
          all.filter((e) => ["user_sign_in", "org_user_create"].includes(e.action.type)).map((e) => e.id),
        )
        const at = all[10]?.timestamp ?? 0
        const window = yield* list(`?start_time=${at}&end_time=${at}`)
        expect(window.body.meta.activity_logs.map((e: { id: string }) => e.id)).toEqual(
          all.filter((e) => e.timestamp === at).map((e) => e.id),
        )
        const desc = yield* list("?order=desc&limit=3")
        expect(desc.body.meta.activity_logs.map((e: { id: string }) => e.id)).toEqual(
          all
            .slice(-3)
            .reverse()
            .map((e) => e.id),
        )
        const caughtUp = yield* list("")
        expect(caughtUp.body.meta.next_page).toBe(false)
        sim.emit(2)
        const later = yield* list(`?cursor=${caughtUp.body.meta.cursor}`)
        expect(later.body.meta.activity_logs.map((e: { id: string }) => e.id)).toEqual(
          (sim.events() as Array<{ id: string }>).slice(-2).map((e) => e.id),
        )
      }),
  )
})
