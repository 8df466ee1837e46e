import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import type { ActivityFilters } from "../../../src/domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import { teamEventId } from "../../../src/providers/dropbox/DropboxTeamEvent.ts"
import { dropbox } from "../../../src/providers/dropbox/index.ts"
import type { StreamPositions } from "../../../src/providers/pageAccount.ts"
import {
  type DropboxSimulatorHandle,
  startDropboxSimulator,
} from "../../../src/simulators/dropbox/DropboxSimulator.ts"
import { ProviderClientsTest } from "../../support/providerClients.ts"
import { accountOn, readAccountToEnd } from "../../support/readAccountToEnd.ts"

// The adapter's team_events stream through the shared page loop, against the simulated team over loopback HTTP.
// The TestClock drives both sides (the simulator lives by the Effect Clock). What every provider does is in
// test/providers/conformance.

const NOW = Date.parse("2026-03-02T12:00:00Z")

const simulator = (historySize: number) => startDropboxSimulator({ seed: 11, historySize })

const accountOf = (sim: DropboxSimulatorHandle, credentials: Record<string, string> = sim.credentials) =>
  accountOn(dropbox, sim, { credentials })

const readToEnd = (
  account: IntegratedAccount,
  filters: ActivityFilters,
  limit: number,
  from: StreamPositions = {},
) => readAccountToEnd(dropbox, account, filters, limit, from)

const apiRequests = (sim: DropboxSimulatorHandle) => sim.requests().filter((r) => r.path.startsWith("/2/"))
const allIds = (sim: DropboxSimulatorHandle) => sim.events().map(teamEventId).sort()
const second = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")

const loginAt = (sim: DropboxSimulatorHandle, at: number, n: number) => {
  const member = sim.members[n % sim.members.length]
  return sim.inject(
    {
      timestamp: second(at),
      event_category: { ".tag": "logins" },
      event_type: { ".tag": "login_success", description: "(logins) Signed in" },
      actor: { ".tag": "user", user: { ".tag": "team_member", account_id: member?.account_id } },
      origin: { geo_location: { ip_address: `198.51.100.${n}` } },
      details: { ".tag": "login_success_details", login_method: { ".tag": "password" }, n },
    },
    at,
  )
}

describe("dropbox team_events through the simulator, over real HTTP", () => {
  it.scoped("pages get_events then continue to the end, each event once, refresh-token grant", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* simulator(120)
      const read = yield* readToEnd(accountOf(sim), {}, 25)
      const ids = read.activities.map((a) => a.id)
      expect([...ids].sort()).toEqual(allIds(sim))
      expect(new Set(ids).size).toBe(ids.length)
      const requests = apiRequests(sim)
      expect(requests[0]?.path).toBe("/2/team_log/get_events")
      expect(requests[0]?.body).toEqual({ limit: 25 })
      expect(requests.slice(1).every((r) => r.path === "/2/team_log/get_events/continue")).toBe(true)
      expect(requests.length).toBeGreaterThanOrEqual(5)
      expect(sim.requests().filter((r) => r.path === "/oauth2/token")).toHaveLength(1)
      // remote_data is the event as received; the id its hash.
      const first = read.pages[0]?.records[0]
      expect(first === undefined ? undefined : Either.getOrThrow(first.mapped)).toMatchObject({
        id: teamEventId(first?.raw),
        remote_data: first?.raw,
      })
    }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("created_at → time.start_time (whole seconds), action → event_type, actor_id → account_id", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* simulator(150)
      const member = sim.members[1]
      const since = NOW - 36 * 3_600_000 + 500
      const filters: ActivityFilters = {
        created_at: new Date(since).toISOString(),
        actor_id: member?.account_id ?? "",
        action: "login_failed",
      }
      // A failed sign-in where the member is only the context, not the actor: Dropbox's account_id matches it.
      sim.inject({
        event_type: { ".tag": "login_fail" },
        actor: { ".tag": "admin", admin: { account_id: sim.members[0]?.account_id } },
        context: { ".tag": "team_member", account_id: member?.account_id },
      })
      const read = yield* readToEnd(accountOf(sim), filters, 10)
      const first = apiRequests(sim)[0]
      expect(first?.body).toEqual({
        limit: 10,
        account_id: member?.account_id,
        time: { start_time: second(since) },
        event_type: { ".tag": "login_fail" },
      })
      const expected = sim
        .events()
        .filter((e) => {
          const event = e as {
            timestamp: string
            event_type: { ".tag": string }
            actor?: { user?: { account_id?: string } }
          }
          return (
            event.event_type[".tag"] === "login_fail" &&
            event.actor?.user?.account_id === member?.account_id &&
            Date.parse(event.timestamp) >= since
          )
        })
        .map(teamEventId)
        .sort()
      expect(expected.length).toBeGreaterThan(0)
      expect(read.activities.map((a) => a.id).sort()).toEqual(expected)
      for (const activity of read.activities) {
        expect(activity.action).toBe("login_failed")
        expect(activity.actor?.user?.id).toBe(member?.account_id)
      }
    }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("an actor_id that is no AccountId answers empty without asking Dropbox", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* simulator(20)
      const read = yield* readToEnd(accountOf(sim), { actor_id: "00u1abcd" }, 10)
      expect(read.activities).toEqual([])
      expect(apiRequests(sim)).toHaveLength(0)
    }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped(
    "tails by the cursor: new, same-second and late events come once; empty pages with has_more",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(NOW)
        const sim = yield* simulator(40)
        const account = accountOf(sim)
        const caughtUp = yield* readToEnd(account, {}, 15)
        expect(caughtUp.activities).toHaveLength(40)
        yield* TestClock.adjust("1 minute")
        const boundary = NOW + 60_000
        const sameSecond = [loginAt(sim, boundary, 1), loginAt(sim, boundary, 2), loginAt(sim, boundary, 3)]
        // Published now, timestamped an hour ago: the cursor follows publishing, so it still comes.
        const late = loginAt(sim, NOW - 3_600_000, 4)
        sim.forceEmptyPages(2)
        const next = yield* readToEnd(account, {}, 2, caughtUp.positions)
        expect(next.activities.map((a) => a.id).sort()).toEqual([...sameSecond, late].map(teamEventId).sort())
        expect(next.positions.team_events).toMatchObject({
          since: new Date(boundary).toISOString(),
          seen: expect.arrayContaining(sameSecond.map(teamEventId)),
        })
        const again = yield* readToEnd(account, {}, 2, next.positions)
        expect(again.activities).toEqual([])
        sim.emit(3)
        const more = yield* readToEnd(account, {}, 50, again.positions)
        expect(more.activities).toHaveLength(3)
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("a reset cursor restarts get_events from the latest second read, without repeats", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* simulator(30)
      const account = accountOf(sim)
      yield* TestClock.adjust("1 minute")
      const boundary = NOW + 60_000
      const before = [loginAt(sim, boundary, 1), loginAt(sim, boundary, 2)]
      const caughtUp = yield* readToEnd(account, {}, 100)
      expect(caughtUp.activities).toHaveLength(32)
      sim.resetCursors()
      const after = [loginAt(sim, boundary, 3), loginAt(sim, boundary + 1000, 4)]
      const next = yield* readToEnd(account, {}, 100, caughtUp.positions)
      expect(next.activities.map((a) => a.id).sort()).toEqual(after.map(teamEventId).sort())
      expect(before.map(teamEventId).every((id) => !next.activities.some((a) => a.id === id))).toBe(true)
      const restart = apiRequests(sim)
        .filter((r) => r.status === 200)
        .at(-1)
      expect(restart?.path).toBe("/2/team_log/get_events")
      expect(restart?.body).toMatchObject({ time: { start_time: second(boundary) } })
      expect(apiRequests(sim).some((r) => r.status === 409)).toBe(true)
    }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("a bad cursor takes the same restart", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* simulator(10)
      const account = accountOf(sim)
      const caughtUp = yield* readToEnd(account, {}, 100)
      const position = caughtUp.positions.team_events as { since: string; seen: string[] }
      sim.emit(2)
      const next = yield* readToEnd(account, {}, 100, { team_events: { ...position, token: "garbled" } })
      expect(next.activities).toHaveLength(2)
    }).pipe(Effect.provide(ProviderClientsTest)),
  )
})
