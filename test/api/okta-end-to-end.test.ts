import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { type Answer, listActivities, type TestApi, TestApiServer, testApiLayer } from "./apiTestKit.ts"

type OktaEvent = { readonly uuid: string; readonly published: string }
const eventsOf = (api: TestApi) => api.okta.events() as ReadonlyArray<OktaEvent>

/** Follows next_cursor until it is null; `between` runs after each page (to let the provider change meanwhile). */
const readAll = (api: TestApi, params: Record<string, string>, between: (page: number) => void = () => {}) =>
  Effect.gen(function* () {
    const pages: Answer[] = []
    let cursor: string | null | undefined
    do {
      const answer = yield* listActivities(api, cursor ? { ...params, next_cursor: cursor } : params)
      expect(answer.status, JSON.stringify(answer.body)).toBe(200)
      pages.push(answer)
      cursor = answer.body.next_cursor
      between(pages.length)
    } while (cursor !== null && pages.length < 100)
    const activities = pages.flatMap((page) => page.body.result as Array<{ id: string; created_at: string }>)
    return { pages, activities, ids: activities.map((activity) => activity.id) }
  })

/** Changes one character in the middle, where every base64url bit is significant. */
const tamper = (cursor: string) => {
  const at = Math.floor(cursor.length / 2)
  return `${cursor.slice(0, at)}${cursor[at] === "A" ? "B" : "A"}${cursor.slice(at + 1)}`
}

layer(testApiLayer, { excludeTestServices: true })("Okta end to end, through the simulator", (it) => {
  it.effect(
    "pages to the end: every simulated event exactly once, also those emitted meanwhile; then null",
    () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const params = { integrated_account_id: api.accountOf.okta, limit: "7" }
        const { pages, activities, ids } = yield* readAll(api, params, (page) => {
          if (page === 2) api.okta.emit(5)
        })

        const expected = eventsOf(api).map((event) => event.uuid)
        expect(expected).toHaveLength(35)
        expect(new Set(ids).size).toBe(ids.length)
        expect([...ids].sort()).toEqual([...expected].sort())

        for (const page of pages) {
          expect(page.headers.get("content-type")).toBe("application/json")
          expect(page.body.result.length).toBeLessThanOrEqual(7)
        }
        const last = pages.at(-1)
        expect(last?.body).toEqual({ result: [], next_cursor: null })
        for (const page of pages.slice(0, -1)) expect(typeof page.body.next_cursor).toBe("string")

        // Unified Activities, with the provider's record as remote_data.
        const first = activities[0] as unknown as Record<string, unknown>
        expect(first).toMatchObject({ id: expected[0], remote_data: { uuid: expected[0] } })
        expect(first.created_at).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
        expect(first.actor).toBeDefined()
      }),
  )

  it.effect("created_at returns exactly the activities created at or after the instant", () =>
    Effect.gen(function* () {
      const api = yield* TestApiServer
      const published = eventsOf(api)
        .map((event) => event.published)
        .sort()
      const from = published[Math.floor(published.length / 2)] as string
      const { ids, activities } = yield* readAll(api, {
        integrated_account_id: api.accountOf.okta,
        created_at: from,
        limit: "50",
      })
      const expected = eventsOf(api)
        .filter((event) => Date.parse(event.published) >= Date.parse(from))
        .map((event) => event.uuid)
      expect(expected.length).toBeGreaterThan(0)
      expect(expected.length).toBeLessThan(published.length)
      expect([...ids].sort()).toEqual([...expected].sort())
      for (const activity of activities)
        expect(Date.parse(activity.created_at)).toBeGreaterThanOrEqual(Date.parse(from))
    }),
  )

  it.effect(
    "created_at holds even when Okta returns a late-persisted event published before the instant",
    () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const template = eventsOf(api)[0] as OktaEvent
        // Okta's polling mode filters `since` on persistence time: this event arrives now, dated two days back.
        const late = {
          ...template,
          uuid: crypto.randomUUID(),
          published: new Date(Date.now() - 2 * 86_400_000).toISOString(),
        }
        api.okta.inject(late)
        api.okta.emit(1)
        const fresh = eventsOf(api).at(-1) as OktaEvent
        const from = new Date(Date.now() - 60_000).toISOString()
        const { ids } = yield* readAll(api, { integrated_account_id: api.accountOf.okta, created_at: from })
        expect(ids).toContain(fresh.uuid)
        expect(ids).not.toContain(late.uuid)
      }),
  )

  describe("cursors", () => {
    const firstPage = (api: TestApi, extra: Record<string, string> = {}) =>
      Effect.gen(function* () {
        const params: Record<string, string> = {
          integrated_account_id: api.accountOf.okta,
          limit: "4",
          ...extra,
        }
        const answer = yield* listActivities(api, params)
        expect(answer.status).toBe(200)
        expect(typeof answer.body.next_cursor).toBe("string")
        return { params, cursor: answer.body.next_cursor as string }
      })

    const expectCursorRefused = (answer: Answer) => {
      expect(answer.status, JSON.stringify(answer.body)).toBe(400)
      expect(answer.body.error).toMatchObject({ code: "invalid_parameter", param: "next_cursor" })
    }

    it.effect("the same cursor replays the same page", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const { params, cursor } = yield* firstPage(api)
        const once = yield* listActivities(api, { ...params, next_cursor: cursor })
        const twice = yield* listActivities(api, { ...params, next_cursor: cursor })
        expect(once.status).toBe(200)
        expect(once.body.result.length).toBe(4)
        expect(twice.body.result).toEqual(once.body.result)
      }),
    )

    it.effect("a cursor with one character changed is a 400 on next_cursor", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const { params, cursor } = yield* firstPage(api)
        expectCursorRefused(yield* listActivities(api, { ...params, next_cursor: tamper(cursor) }))
        expectCursorRefused(yield* listActivities(api, { ...params, next_cursor: cursor.slice(0, -2) }))
      }),
    )

    it.effect(
      "a cursor replayed with other filters is a 400; the same instant spelled differently is the same filter",
      () =>
        Effect.gen(function* () {
          const api = yield* TestApiServer
          const { params, cursor } = yield* firstPage(api, { created_at: "2024-01-01T00:00:00Z" })
          expectCursorRefused(yield* listActivities(api, { ...params, next_cursor: cursor, action: "login" }))
          expectCursorRefused(
            yield* listActivities(api, {
              ...params,
              next_cursor: cursor,
              created_at: "2024-01-02T00:00:00Z",
            }),
          )
          const { created_at: _, ...withoutCreatedAt } = params
          expectCursorRefused(yield* listActivities(api, { ...withoutCreatedAt, next_cursor: cursor }))
          const sameInstant = yield* listActivities(api, {
            ...params,
            next_cursor: cursor,
            created_at: "2024-01-01T01:00:00.000+01:00",
          })
          expect(sameInstant.status).toBe(200)
        }),
    )

    it.effect("a cursor replayed on another integrated account is a 400", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const { params, cursor } = yield* firstPage(api)
        expectCursorRefused(
          yield* listActivities(api, {
            ...params,
            integrated_account_id: api.otherOktaAccount,
            next_cursor: cursor,
          }),
        )
      }),
    )
  })

  describe("provider failures", () => {
    it.effect("Okta refusing the credentials is a 502 remote_unauthorized that leaks no credential", () =>
      Effect.gen(function* () {
        const api = yield* TestApiServer
        const answer = yield* listActivities(api, { integrated_account_id: api.badCredentialsAccount })
        expect(answer.status).toBe(502)
        expect(answer.body.error.code).toBe("remote_unauthorized")
        expect(JSON.stringify(answer.body)).not.toContain("00wrong")
        expect(api.okta.requests().at(-1)?.status).toBe(401)
      }),
    )

    it.effect(
      "Okta failing with 5xx beyond the retries is a 502 remote_unavailable; a single 5xx is retried away",
      () =>
        Effect.gen(function* () {
          const api = yield* TestApiServer
          const params = { integrated_account_id: api.otherOktaAccount, limit: "1" }
          api.okta.forceServerError(2)
          const answer = yield* listActivities(api, params)
          expect(answer.status).toBe(502)
          expect(answer.body.error.code).toBe("remote_unavailable")
          api.okta.forceServerError(1)
          expect((yield* listActivities(api, params)).status).toBe(200)
        }),
    )

    it.effect(
      "a 429 whose reset is beyond the wait limit is a 429 with Retry-After; the next call waits for it",
      () =>
        Effect.gen(function* () {
          const api = yield* TestApiServer
          api.okta.forceRateLimited(1, 120_000)
          const params = { integrated_account_id: api.throttledAccount }
          const answer = yield* listActivities(api, params)
          expect(answer.status, JSON.stringify(answer.body)).toBe(429)
          expect(answer.body.error.code).toBe("remote_rate_limited")
          const retryAfter = Number(answer.headers.get("retry-after"))
          expect(Number.isInteger(retryAfter)).toBe(true)
          expect(retryAfter).toBeGreaterThanOrEqual(110)
          expect(retryAfter).toBeLessThanOrEqual(121)

          // The exhausted quota is remembered for the account: no request reaches Okta until the reset.
          const sent = api.okta.requests().length
          const again = yield* listActivities(api, params)
          expect(again.status).toBe(429)
          expect(Number(again.headers.get("retry-after"))).toBeGreaterThan(0)
          expect(api.okta.requests().length).toBe(sent)

          // Other accounts have their own quota.
          expect(
            (yield* listActivities(api, { integrated_account_id: api.otherOktaAccount, limit: "1" })).status,
          ).toBe(200)
        }),
    )
  })

  it.effect("a record that cannot be mapped is left out of the page and logged, the rest is served", () =>
    Effect.gen(function* () {
      const api = yield* TestApiServer
      const broken = api.okta.injectMalformed("bad-published") as OktaEvent
      api.okta.emit(2)
      const { ids } = yield* readAll(api, { integrated_account_id: api.accountOf.okta, limit: "200" })
      const valid = eventsOf(api).filter((event) => event !== broken)
      expect(ids).not.toContain(broken.uuid)
      expect([...ids].sort()).toEqual(valid.map((event) => event.uuid).sort())
      const warning = api.logs().find((line) => line.message === "provider record rejected")
      expect(warning?.level).toBe("WARN")
      expect(warning?.annotations).toMatchObject({ integration: "okta", stage: "map" })
      expect(String(warning?.annotations.reason)).toContain(broken.uuid)
    }),
  )
})
