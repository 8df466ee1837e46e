import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { atlassian } from "../../../src/providers/atlassian/index.ts"
import {
  type AtlassianSimulatorHandle,
  type AtlassianSimulatorOptions,
  startAtlassianSimulator,
} from "../../../src/simulators/atlassian/AtlassianSimulator.ts"
import { ProviderClientsTest } from "../../support/providerClients.ts"
import { accountOn, readAccountToEnd } from "../../support/readAccountToEnd.ts"

// Atlassian's events-stream through the shared page loop, over real HTTP to the Atlassian simulator (on the
// TestClock, which the simulator's processing times follow). What every provider does is in test/providers/conformance.

const simulator = (options: AtlassianSimulatorOptions = {}) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.now())
    return yield* startAtlassianSimulator({ seed: 31, ...options })
  })

const idOf = (event: unknown) => (event as { id: string }).id
const actionOf = (event: unknown) => (event as { attributes: { action: string } }).attributes.action
const timeOf = (event: unknown) => Date.parse((event as { attributes: { time: string } }).attributes.time)
const streamRequests = (sim: AtlassianSimulatorHandle) =>
  sim.requests().filter((r) => r.path.endsWith("/events-stream"))
const read = (sim: AtlassianSimulatorHandle, filters: Record<string, string>, limit: number, from = {}) =>
  readAccountToEnd(atlassian, accountOn(atlassian, sim), filters, limit, from)

describe("atlassian events-stream through the simulator, over real HTTP", () => {
  it.scoped(
    "pages to the end in processing order, each event once; later polls with the cursor get only what was processed since",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 45 })
        const first = yield* read(sim, {}, 10)
        expect(first.activities.map((a) => a.id)).toEqual(sim.events().map(idOf))
        const requests = streamRequests(sim)
        expect(requests[0]?.path).toBe(`/admin/v1/orgs/${sim.orgId}/events-stream`)
        expect(requests[0]?.params).toEqual({ limit: "10", sortOrder: "asc" })
        for (const request of requests.slice(1))
          expect(Object.keys(request.params).sort()).toEqual(["cursor", "limit"])
        expect(requests.at(-1)?.events).toBe(0)
        // The mapping per the spec: the org, the message as description, the location's IP.
        const withIp = first.activities.find((a) => a.context?.ip_address !== undefined)
        expect(withIp?.organization).toBe(sim.orgId)
        expect(withIp?.description).toEqual(expect.any(String))

        yield* TestClock.adjust("1 minute")
        sim.emit(3)
        // An event that happened an hour ago, processed only now: the cursor still brings it.
        const [template] = sim.events().slice(-1)
        const now = yield* TestClock.currentTimeMillis
        sim.inject({
          ...(template as object),
          id: "processed-late",
          attributes: {
            ...(template as { attributes: object }).attributes,
            time: new Date(now - 3_600_000).toISOString(),
          },
        })
        const second = yield* read(sim, {}, 10, first.positions)
        expect(second.activities.map((a) => a.id)).toEqual(sim.events().slice(-4).map(idOf))
        const idle = yield* read(sim, {}, 10, second.positions)
        expect(idle.activities).toEqual([])
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped(
    "created_at reaches Atlassian as from; action is post-filtered, a raw key that is a unified value included",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 60 })
        const now = yield* TestClock.currentTimeMillis
        const createdAt = new Date(now - 6 * 3_600_000).toISOString()
        const recent = yield* read(sim, { created_at: createdAt }, 200)
        expect(streamRequests(sim)[0]?.params.from).toBe(String(Date.parse(createdAt)))
        expect(recent.activities.map((a) => a.id).sort()).toEqual(
          sim
            .events()
            .filter((e) => timeOf(e) >= Date.parse(createdAt))
            .map(idOf)
            .sort(),
        )

        const logins = yield* read(sim, { action: "login" }, 200)
        expect(logins.activities.length).toBeGreaterThan(0)
        expect(logins.activities.every((a) => a.action === "login")).toBe(true)
        expect(logins.activities.map((a) => a.id)).toEqual(
          sim
            .events()
            .filter((e) => actionOf(e) === "user_login")
            .map(idOf),
        )
        // A raw key passes through as itself: one that is a unified value is found by that value.
        const deactivated = yield* read(sim, { action: "user_deactivated" }, 200)
        expect(deactivated.activities.map((a) => a.id)).toEqual(
          sim
            .events()
            .filter((e) => actionOf(e) === "user_deactivated")
            .map(idOf),
        )
        expect(deactivated.activities.length).toBeGreaterThan(0)
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped(
    "a refused cursor (ADMIN-400-1) restarts from the latest event time read: nothing repeated, nothing processed since missed",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 20 })
        const first = yield* read(sim, {}, 4)
        yield* TestClock.adjust("30 seconds")
        // A burst sharing one instant, read in part before the cursor goes bad.
        sim.emit(3)
        const part = yield* read(sim, {}, 2, first.positions)
        sim.expireCursors()
        yield* TestClock.adjust("10 seconds")
        sim.emit(2)
        const after = yield* read(sim, {}, 4, part.positions)
        const statuses = streamRequests(sim).map((r) => r.status)
        expect(statuses.filter((s) => s === 400)).toHaveLength(1)

        const published = [...first.activities, ...part.activities, ...after.activities].map((a) => a.id)
        expect(new Set(published).size).toBe(published.length)
        expect([...published].sort()).toEqual(sim.events().map(idOf).sort())
        // The restart asked from the latest event time read, then went on by its new cursor.
        const restart = streamRequests(sim)[statuses.indexOf(400) + 1]
        expect(restart?.params).toMatchObject({ sortOrder: "asc" })
        expect(Number(restart?.params.from)).toBe(
          Math.max(...[...first.activities, ...part.activities].map((a) => Date.parse(a.created_at))),
        )
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("a key used on another org's path is ProviderUnauthorized 403", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 3 })
      const otherOrg = accountOn(atlassian, sim, { settings: { organization_id: "another-org" } })
      expect(yield* Effect.flip(readAccountToEnd(atlassian, otherOrg, {}, 10))).toMatchObject({
        _tag: "ProviderUnauthorized",
        status: 403,
      })
    }).pipe(Effect.provide(ProviderClientsTest)),
  )
})
