import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { asana } from "../../../src/providers/asana/index.ts"
import {
  type AsanaSimulatorHandle,
  type AsanaSimulatorOptions,
  startAsanaSimulator,
} from "../../../src/simulators/asana/AsanaSimulator.ts"
import { pollsReturnOnlyNew } from "../../support/cursorlessPolls.ts"
import { ProviderClientsTest } from "../../support/providerClients.ts"
import { accountOn, readAccountToEnd } from "../../support/readAccountToEnd.ts"

// Asana's audit log through the shared page loop, over real HTTP to the Asana simulator (on the TestClock,
// which the simulator's capture times follow). What every provider does is in test/providers/conformance.

const simulator = (options: AsanaSimulatorOptions = {}) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.now())
    return yield* startAsanaSimulator({ seed: 41, ...options })
  })

type Raw = {
  gid: string
  created_at: string
  event_type: string
  actor?: { gid?: string; actor_type?: string }
}
const gidOf = (event: unknown) => (event as Raw).gid
const typeOf = (event: unknown) => (event as Raw).event_type
const timeOf = (event: unknown) => Date.parse((event as Raw).created_at)
const reads = (sim: AsanaSimulatorHandle) =>
  sim.requests().filter((r) => r.path.endsWith("/audit_log_events"))
const read = (sim: AsanaSimulatorHandle, filters: Record<string, string>, limit: number, from = {}) =>
  readAccountToEnd(
    asana,
    accountOn(asana, sim),
    { organization_id: sim.workspaceGid, ...filters },
    limit,
    from,
  )

describe("asana audit log through the simulator, over real HTTP", () => {
  it.scoped(
    "pages to the end by offset, each event once; a later poll with the stored offset gets only what was captured since",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 45 })
        const first = yield* read(sim, {}, 10)
        expect(first.activities.map((a) => a.id)).toEqual(sim.events().map(gidOf))
        const requests = reads(sim)
        expect(requests[0]?.path).toBe(`/api/1.0/workspaces/${sim.workspaceGid}/audit_log_events`)
        expect(requests[0]?.params).toEqual({ limit: "10" })
        for (const request of requests.slice(1))
          expect(Object.keys(request.params).sort()).toEqual(["limit", "offset"])
        // 45 events at 10 a page: five pages, then the empty page that says "caught up".
        expect(requests.map((r) => r.events)).toEqual([10, 10, 10, 10, 5, 0])
        expect(first.activities.every((a) => a.organization === sim.workspaceGid)).toBe(true)

        yield* TestClock.adjust("1 minute")
        // Three events at one instant, and one created an hour ago but captured only now.
        sim.emit(3)
        const [template] = sim.events().slice(-1)
        const now = yield* TestClock.currentTimeMillis
        sim.inject({
          ...(template as object),
          gid: "1299000000000001",
          created_at: new Date(now - 3_600_000).toISOString(),
        })
        const second = yield* read(sim, {}, 10, first.positions)
        expect(second.activities.map((a) => a.id)).toEqual(sim.events().slice(-4).map(gidOf))
        const idle = yield* read(sim, {}, 10, second.positions)
        expect(idle.activities).toEqual([])
        expect(reads(sim).at(-1)?.params.offset).toEqual(expect.any(String))
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped(
    "a last page whose next_page is null: later polls return nothing already returned, and what was captured since",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 45, nextPageWhenDone: false })
        yield* pollsReturnOnlyNew(sim, gidOf, (positions) => read(sim, {}, 10, positions))
        expect(
          reads(sim)
            .map((r) => r.events)
            .slice(0, 5),
        ).toEqual([10, 10, 10, 10, 5])
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped(
    "created_at goes as start_at, actor_id as actor_gid, a one-type action as event_type; create/destroy/exported are post-filtered; an action no event maps to asks nothing",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 120 })
        const now = yield* TestClock.currentTimeMillis
        const createdAt = new Date(now - 6 * 3_600_000).toISOString()
        const recent = yield* read(sim, { created_at: createdAt }, 100)
        expect(reads(sim)[0]?.params.start_at).toBe(createdAt)
        expect(recent.activities.map((a) => a.id)).toEqual(
          sim
            .events()
            .filter((e) => timeOf(e) >= Date.parse(createdAt))
            .map(gidOf),
        )

        const person = sim.people[0]?.gid as string
        const before = reads(sim).length
        const theirs = yield* read(sim, { actor_id: person }, 100)
        expect(reads(sim)[before]?.params.actor_gid).toBe(person)
        expect(theirs.activities.length).toBeGreaterThan(0)
        expect(theirs.activities.map((a) => a.id)).toEqual(
          sim
            .events()
            .filter((e) => (e as Raw).actor?.gid === person)
            .map(gidOf),
        )

        for (const [action, raw] of [
          ["login_failed", "user_login_failed"],
          ["login", "user_login_succeeded"],
          ["user_deactivated", "user_deprovisioned"],
        ] as const) {
          const at = reads(sim).length
          const result = yield* read(sim, { action }, 100)
          expect(reads(sim)[at]?.params.event_type).toBe(raw)
          expect(result.activities.length).toBeGreaterThan(0)
          expect(result.activities.map((a) => a.id)).toEqual(
            sim
              .events()
              .filter((e) => typeOf(e) === raw)
              .map(gidOf),
          )
        }

        const at = reads(sim).length
        const destroyed = yield* read(sim, { action: "destroy" }, 100)
        expect(reads(sim)[at]?.params.event_type).toBeUndefined()
        expect(destroyed.activities.length).toBeGreaterThan(0)
        expect(destroyed.activities.map((a) => a.id)).toEqual(
          sim
            .events()
            .filter((e) => typeOf(e).endsWith("_deleted") && typeOf(e) !== "service_account_deleted")
            .map(gidOf),
        )

        const asked = reads(sim).length
        expect((yield* read(sim, { action: "user_joined" }, 100)).activities).toEqual([])
        expect(reads(sim)).toHaveLength(asked)
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped(
    "an expired offset (400) restarts from the latest created_at read: nothing repeated at the shared instant, nothing captured since missed",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 20 })
        const first = yield* read(sim, {}, 4)
        yield* TestClock.adjust("30 seconds")
        // A burst sharing one instant, read in part before the offset expires.
        sim.emit(5)
        const part = yield* pageOnce(sim, 2, first.positions)
        sim.expireOffsets()
        yield* TestClock.adjust("10 seconds")
        sim.emit(2)
        const after = yield* read(sim, {}, 4, part.positions)
        const statuses = reads(sim).map((r) => r.status)
        expect(statuses.filter((s) => s === 400)).toHaveLength(1)

        const published = [...first.activities, ...part.activities, ...after.activities].map((a) => a.id)
        expect(new Set(published).size).toBe(published.length)
        expect([...published].sort()).toEqual(sim.events().map(gidOf).sort())
        // The restart asked from the latest created_at read, without an offset, then went on by its new one.
        const restart = reads(sim)[statuses.indexOf(400) + 1]
        expect(restart?.params.offset).toBeUndefined()
        expect(Date.parse(restart?.params.start_at ?? "")).toBe(
          Math.max(...[...first.activities, ...part.activities].map((a) => Date.parse(a.created_at))),
        )
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("another workspace is 403; a non-gid workspace is never requested", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 3 })
      const otherWorkspace = accountOn(asana, sim, { settings: { organization_id: "1200000000000099" } })
      expect(
        yield* Effect.flip(
          readAccountToEnd(asana, otherWorkspace, { organization_id: "1200000000000099" }, 10),
        ),
      ).toMatchObject({ _tag: "ProviderUnauthorized", status: 403 })

      const asked = sim.requests().length
      for (const organization of ["../../users/me", "123/audit_log_events?x=", "12%2F34", "//evil.example"]) {
        const crafted = accountOn(asana, sim, { settings: { organization_id: organization } })
        const error = yield* Effect.flip(
          readAccountToEnd(asana, crafted, { organization_id: organization }, 10),
        )
        expect(error._tag).toBe("ProviderBadResponse")
      }
      expect(sim.requests()).toHaveLength(asked)
    }).pipe(Effect.provide(ProviderClientsTest)),
  )
})

/** One account page only, to stop inside a burst. */
const pageOnce = (sim: AsanaSimulatorHandle, limit: number, positions: Record<string, unknown>) =>
  Effect.gen(function* () {
    const { pageAccount } = yield* Effect.promise(() => import("../../../src/providers/pageAccount.ts"))
    const { activitiesOf } = yield* Effect.promise(() => import("../../support/readAccountToEnd.ts"))
    const page = yield* pageAccount(asana, {
      account: accountOn(asana, sim),
      filters: { organization_id: sim.workspaceGid },
      positions,
      limit,
    })
    return { activities: activitiesOf(page), positions: page.positions }
  })
