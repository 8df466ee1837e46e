import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { figma } from "../../../src/providers/figma/index.ts"
import { pageAccount } from "../../../src/providers/pageAccount.ts"
import {
  type FigmaSimulatorHandle,
  type FigmaSimulatorOptions,
  startFigmaSimulator,
} from "../../../src/simulators/figma/FigmaSimulator.ts"
import { pollsReturnOnlyNew } from "../../support/cursorlessPolls.ts"
import { ProviderClientsTest } from "../../support/providerClients.ts"
import { accountOn, activitiesOf, readAccountToEnd, rejectedOf } from "../../support/readAccountToEnd.ts"

// Figma's activity logs through the shared page loop, over real HTTP to the Figma simulator (on the TestClock,
// which the simulator's timestamps follow). What every provider does is in test/providers/conformance.

const simulator = (options: FigmaSimulatorOptions = {}) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.now())
    return yield* startFigmaSimulator({ seed: 41, ...options })
  })

const idOf = (event: unknown) => (event as { id: string }).id
const typeOf = (event: unknown) => (event as { action: { type: string } }).action.type
const secondsOf = (event: unknown) => (event as { timestamp: number }).timestamp
const listRequests = (sim: FigmaSimulatorHandle) =>
  sim.requests().filter((r) => r.path === "/v1/activity_logs")
const read = (sim: FigmaSimulatorHandle, filters: Record<string, string>, limit: number, from = {}) =>
  readAccountToEnd(figma, accountOn(figma, sim), filters, limit, from)

describe("figma activity logs through the simulator, over real HTTP", () => {
  it.scoped(
    "pages to the end by meta.cursor while next_page; later polls with the last cursor get only what was logged since",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 45 })
        const first = yield* read(sim, {}, 10)
        expect(first.activities.map((a) => a.id)).toEqual(sim.events().map(idOf))
        expect(first.pages.length).toBe(5)
        const requests = listRequests(sim)
        expect(requests[0]?.params).toEqual({ limit: "10", order: "asc" })
        for (const request of requests.slice(1))
          expect(Object.keys(request.params).sort()).toEqual(["cursor", "limit"])
        // The refresh-token grant went to Figma's refresh endpoint first; the list went out as Bearer.
        expect(sim.requests()[0]?.path).toBe("/v1/oauth/refresh")
        expect(requests.every((r) => r.authScheme === "Bearer")).toBe(true)
        const withOrg = first.activities.find((a) => a.organization !== undefined)
        expect(withOrg?.organization).toBe(sim.orgId)

        yield* TestClock.adjust("1 minute")
        // Several events sharing one second, and one logged only now though stamped an hour ago.
        sim.emit(3)
        const now = yield* TestClock.currentTimeMillis
        const [template] = sim.events().slice(-1)
        sim.inject({
          ...(template as object),
          id: "9000000000000000001",
          timestamp: Math.floor(now / 1000) - 3600,
        })
        const second = yield* read(sim, {}, 2, first.positions)
        expect(second.activities.map((a) => a.id)).toEqual(sim.events().slice(-4).map(idOf))
        const idle = yield* read(sim, {}, 10, second.positions)
        expect(idle.activities).toEqual([])
        sim.emit(1)
        const third = yield* read(sim, {}, 10, idle.positions)
        expect(third.activities.map((a) => a.id)).toEqual(sim.events().slice(-1).map(idOf))
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped(
    "created_at reaches Figma as start_time in seconds; action as events, the Figma types it stands for",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 80 })
        const now = yield* TestClock.currentTimeMillis
        // Half a second into a second: Figma's bound is the whole second, the exact bound is the post-filter's.
        const boundary = sim.events()[40] as { timestamp: number }
        const createdAt = new Date(boundary.timestamp * 1000 + 500).toISOString()
        const recent = yield* read(sim, { created_at: createdAt }, 1000)
        expect(listRequests(sim)[0]?.params).toEqual({
          start_time: String(boundary.timestamp),
          limit: "1000",
          order: "asc",
        })
        expect(recent.activities.map((a) => a.id)).toEqual(
          sim
            .events()
            .filter((e) => secondsOf(e) * 1000 >= Date.parse(createdAt))
            .map(idOf),
        )
        expect(now).toBeGreaterThan(0)

        const cases = [
          ["login", "user_sign_in"],
          ["logout", "user_sign_out"],
          ["user_created", "org_user_create"],
          ["user_deleted", "org_user_delete"],
        ] as const
        for (const [action, type] of cases) {
          const result = yield* read(sim, { action }, 1000)
          expect(listRequests(sim).at(-1)?.params).toEqual({ events: type, limit: "1000", order: "asc" })
          expect(result.activities.length, action).toBeGreaterThan(0)
          expect(result.activities.every((a) => a.action === action)).toBe(true)
          expect(result.activities.map((a) => a.id)).toEqual(
            sim
              .events()
              .filter((e) => typeOf(e) === type)
              .map(idOf),
          )
        }
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped(
    "a refused cursor restarts from the latest second read: nothing repeated at the boundary second, nothing missed",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 20 })
        const first = yield* read(sim, {}, 4)
        yield* TestClock.adjust("30 seconds")
        // A burst sharing one second, read in part before the cursor goes bad.
        sim.emit(3)
        // One page only: the second is left for after the cursor goes bad.
        const partPage = yield* pageAccount(figma, {
          account: accountOn(figma, sim),
          filters: {},
          positions: first.positions,
          limit: 2,
        })
        const part = { activities: activitiesOf(partPage), positions: partPage.positions }
        expect(part.activities).toHaveLength(2)
        expect(partPage.hasMore).toBe(true)
        sim.expireCursors()
        yield* TestClock.adjust("10 seconds")
        sim.emit(2)
        const after = yield* read(sim, {}, 4, part.positions)
        const statuses = listRequests(sim).map((r) => r.status)
        expect(statuses.filter((s) => s === 400)).toHaveLength(1)
        const published = [...first.activities, ...part.activities, ...after.activities].map((a) => a.id)
        expect(new Set(published).size).toBe(published.length)
        expect([...published].sort()).toEqual(sim.events().map(idOf).sort())
        const restart = listRequests(sim)[statuses.indexOf(400) + 1]
        expect(restart?.params).toMatchObject({ order: "asc" })
        expect(Number(restart?.params.start_time)).toBe(
          Math.max(...[...first.activities, ...part.activities].map((a) => Date.parse(a.created_at) / 1000)),
        )
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  for (const lastPageCursor of ["absent", "null"] as const) {
    it.scoped(
      `a last page whose meta.cursor is ${lastPageCursor}: later polls return nothing already returned, and what was logged since`,
      () =>
        Effect.gen(function* () {
          const sim = yield* simulator({ historySize: 45, lastPageCursor })
          yield* pollsReturnOnlyNew(sim, idOf, (positions) => read(sim, {}, 10, positions))
        }).pipe(Effect.provide(ProviderClientsTest)),
    )
  }

  it.scoped(
    "malformed events of both flaws are handed on once while the rest arrives; a token of another scope is 403",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 3 })
        const first = yield* read(sim, {}, 10)
        sim.emit(1)
        const broken = sim.injectMalformed("missing-id")
        const textTime = sim.injectMalformed("text-timestamp")
        sim.emit(1)
        const next = yield* read(sim, {}, 10, first.positions)
        expect(next.pages.flatMap(rejectedOf).map((r) => r.raw)).toEqual([broken, textTime])
        expect(next.activities).toHaveLength(2)
        expect((yield* read(sim, {}, 10, next.positions)).pages.flatMap((p) => p.records)).toEqual([])

        const otherScope = accountOn(figma, sim, { credentials: { access_token: sim.otherScopeToken } })
        expect(yield* Effect.flip(readAccountToEnd(figma, otherScope, {}, 10))).toMatchObject({
          _tag: "ProviderUnauthorized",
          status: 403,
        })
        const direct = accountOn(figma, sim, { credentials: { access_token: sim.accessToken } })
        expect((yield* readAccountToEnd(figma, direct, {}, 10)).activities.length).toBe(
          sim.events().length - 2,
        )
      }).pipe(Effect.provide(ProviderClientsTest)),
  )
})
