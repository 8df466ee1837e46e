import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { isFailedAttempt } from "../../../src/providers/okta/failedSignIns.ts"
import { accountFor, fetchPage, HttpLive, readToEnd, simulator, uuidsOf } from "./oktaTestKit.ts"

type Raw = {
  uuid: string
  eventType: string
  actor: { id: string } | null
  outcome: { result: string } | null
}
const DAY_MS = 24 * 60 * 60 * 1000

describe("okta fetchPage against the simulator", () => {
  it.scopedLive(
    "follows next links to the end, then tails new events, each event exactly once and in order",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 25 })
        const account = accountFor(sim)

        const first = yield* readToEnd(account, {}, 10)
        expect(first.pages.map((page) => page.records.length)).toEqual([10, 10, 5, 0])
        expect(first.pages.map((page) => page.hasMore)).toEqual([true, true, true, false])
        expect(uuidsOf(first.records)).toEqual(uuidsOf(sim.events()))
        expect(new Set(uuidsOf(first.records)).size).toBe(25)
        // Caught up, the position still points on: Okta's polling next link, carrying its `after` token.
        expect(first.last.next.next).toMatch(/^\/api\/v1\/logs\?.*after=/)

        const [start, ...continued] = sim.requests()
        expect(start?.params).toMatchObject({ sortOrder: "ASCENDING", limit: "10" })
        expect(start?.params.until).toBeUndefined()
        expect(Date.now() - Date.parse(start?.params.since ?? "")).toBeGreaterThan(89 * DAY_MS)
        for (const request of continued) {
          expect(request.params.after).toBeDefined()
          expect(request.params.since).toBeUndefined()
        }

        sim.emit(4)
        const tail = yield* readToEnd(account, {}, 10, first.last.next)
        expect(uuidsOf(tail.records)).toEqual(uuidsOf(sim.events().slice(25)))
        expect(tail.pages.map((page) => page.hasMore)).toEqual([true, false])
      }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive("sends actor and action as Okta's SCIM filter and gets exactly the matching events", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 200 })
      const account = accountFor(sim)
      const events = sim.events() as ReadonlyArray<Raw>
      // Every failed authentication attempt (sign-in, SSO, MFA factor…) is login_failed.
      const failed = (e: Raw) => isFailedAttempt(e as Parameters<typeof isFailedAttempt>[0])
      const victim = events.find(failed)?.actor?.id ?? ""
      const createdAt = new Date(Date.now() - DAY_MS).toISOString()

      const read = yield* readToEnd(
        account,
        { actor_id: victim, action: "login_failed", created_at: createdAt },
        1000,
      )
      expect(sim.requests()[0]?.params).toEqual({
        since: createdAt,
        sortOrder: "ASCENDING",
        limit: "1000",
        filter: `(actor.id eq "${victim}") and (outcome.result eq "FAILURE" and (eventType eq "user.session.start" or eventType eq "user.authentication.sso" or eventType eq "user.authentication.verify" or eventType sw "user.authentication.auth_via_"))`,
      })
      const expected = events.filter((e) => failed(e) && e.actor?.id === victim)
      expect(expected.length).toBeGreaterThanOrEqual(3)
      expect(uuidsOf(read.records)).toEqual(uuidsOf(expected))
    }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive("maps each action with an Okta counterpart to its documented filter", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 200 })
      const account = accountFor(sim)
      const events = sim.events() as ReadonlyArray<Raw>
      const cases = [
        [
          "login",
          `eventType eq "user.session.start" and outcome.result eq "SUCCESS"`,
          (e: Raw) => e.eventType === "user.session.start" && e.outcome?.result === "SUCCESS",
        ],
        ["logout", `eventType eq "user.session.end"`, (e: Raw) => e.eventType === "user.session.end"],
        [
          "user_created",
          `eventType eq "user.lifecycle.create"`,
          (e: Raw) => e.eventType === "user.lifecycle.create",
        ],
        [
          "user_deactivated",
          `eventType eq "user.lifecycle.deactivate"`,
          (e: Raw) => e.eventType === "user.lifecycle.deactivate",
        ],
        [
          "user_deleted",
          `eventType eq "user.lifecycle.delete.initiated"`,
          (e: Raw) => e.eventType === "user.lifecycle.delete.initiated",
        ],
      ] as const
      for (const [action, filter, matches] of cases) {
        const before = sim.requests().length
        const read = yield* readToEnd(account, { action }, 1000)
        expect(sim.requests()[before]?.params.filter).toBe(filter)
        expect(uuidsOf(read.records)).toEqual(uuidsOf(events.filter(matches)))
      }
    }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive("reads from created_at on: events persisted before it are left out", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 30 })
      const createdAt = new Date().toISOString()
      yield* Effect.sleep("20 millis")
      sim.emit(3)
      const read = yield* readToEnd(accountFor(sim), { created_at: createdAt }, 100)
      expect(uuidsOf(read.records)).toEqual(uuidsOf(sim.events().slice(30)))
    }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive("caps since at Okta's 90-day retention and limit at 1000", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 5 })
      yield* fetchPage({
        account: accountFor(sim),
        filters: { created_at: "2001-01-01T00:00:00.000Z" },
        position: undefined,
        limit: 5000,
      })
      const params = sim.requests()[0]?.params
      expect(params?.limit).toBe("1000")
      const ninetyDaysAgo = Date.now() - 90 * DAY_MS
      expect(Math.abs(Date.parse(params?.since ?? "") - ninetyDaysAgo)).toBeLessThan(60_000)
    }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive("answers an action with no Okta counterpart with an empty page, without calling Okta", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 5 })
      const account = accountFor(sim)
      const page = yield* fetchPage({
        account,
        filters: { action: "exported", actor_id: "00u1" },
        position: undefined,
        limit: 50,
      })
      expect(page.records).toEqual([])
      expect(page.hasMore).toBe(false)
      expect(page.next.next).toMatch(
        /^\/api\/v1\/logs\?since=.*&sortOrder=ASCENDING&limit=50&filter=actor\.id/,
      )
      const again = yield* fetchPage({
        account,
        filters: { action: "exported" },
        position: page.next,
        limit: 50,
      })
      expect(again).toEqual(page)
      expect(sim.requests()).toEqual([])
    }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive("escapes quotes and backslashes inside the SCIM string literal", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 5 })
      const page = yield* fetchPage({
        account: accountFor(sim),
        filters: { actor_id: 'x" or actor.id pr or "\\' },
        position: undefined,
        limit: 50,
      })
      expect(sim.requests()[0]?.params.filter).toBe('actor.id eq "x\\" or actor.id pr or \\"\\\\"')
      // Had the value broken out of the literal, `actor.id pr` would have matched every event.
      expect(sim.requests()[0]?.status).toBe(200)
      expect(page.records).toEqual([])
    }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive("authenticates with an OAuth access token as Bearer and an API token as SSWS", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 3 })
      const bearer = yield* fetchPage({
        account: accountFor(sim, { access_token: sim.accessToken }),
        filters: {},
        position: undefined,
        limit: 10,
      })
      const ssws = yield* fetchPage({
        account: accountFor(sim),
        filters: {},
        position: undefined,
        limit: 10,
      })
      expect(sim.requests().map((r) => [r.authScheme, r.status])).toEqual([
        ["Bearer", 200],
        ["SSWS", 200],
      ])
      expect(bearer.records).toHaveLength(3)
      expect(ssws.records).toEqual(bearer.records)
    }).pipe(Effect.provide(HttpLive)),
  )
})
