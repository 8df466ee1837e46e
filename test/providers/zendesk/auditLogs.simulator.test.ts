import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, TestClock } from "effect"
import type { ActivityFilters } from "../../../src/domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import type { StreamPositions } from "../../../src/providers/pageAccount.ts"
import { zendesk } from "../../../src/providers/zendesk/index.ts"
import {
  startZendeskSimulator,
  type ZendeskSimulatorHandle,
} from "../../../src/simulators/zendesk/ZendeskSimulator.ts"
import { ProviderClientsTest } from "../../support/providerClients.ts"
import { accountOn, readAccountToEnd } from "../../support/readAccountToEnd.ts"

// The adapter's audit_logs stream through the shared page loop, against the simulated account over loopback
// HTTP. The TestClock drives both sides (the simulator lives by the Effect Clock), so the 30 s settle window is
// stepped over rather than waited for. What every provider does is in test/providers/conformance.

const NOW = Date.parse("2026-03-02T12:00:00Z")
const SETTLE_MS = 30_000

const simulator = (historySize: number) =>
  startZendeskSimulator({ seed: 7, historySize, requestsPerMinute: 100_000 })

const accountOf = (sim: ZendeskSimulatorHandle, credentials: Record<string, string> = sim.credentials) =>
  accountOn(zendesk, sim, { credentials })

const readToEnd = (
  account: IntegratedAccount,
  filters: ActivityFilters,
  limit: number,
  from: StreamPositions = {},
) => readAccountToEnd(zendesk, account, filters, limit, from)

const listRequests = (sim: ZendeskSimulatorHandle) =>
  sim.requests().filter((r) => r.path.startsWith("/api/v2/audit_logs"))
const param = (request: { params: ReadonlyArray<readonly [string, string]> }, name: string) =>
  request.params.filter(([key]) => key === name).map(([, value]) => value)
const settledIds = (sim: ZendeskSimulatorHandle, before: number) =>
  sim
    .auditLogs()
    .filter((r) => Date.parse(String(r.created_at)) < before)
    .map((r) => String(r.id))
    .sort()

const second = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")
let injected = 0
/** `count` records all created in the same second, `at`, as Zendesk lists several at one instant. */
const injectAt = (sim: ZendeskSimulatorHandle, count: number, at: number) =>
  Array.from({ length: count }, () => {
    const id = 99_000_000_000 + ++injected
    sim.inject(
      {
        id,
        action: "update",
        action_label: "Updated",
        actor_id: 1234,
        actor_name: "Sameer Patel",
        source_id: 3456,
        source_label: "John Doe",
        source_type: "user",
        change_description: "Role changed from Agent to Administrator",
        ip_address: "203.0.113.7",
        created_at: second(at),
        url: `https://acme.zendesk.com/api/v2/audit_logs/${id}.json`,
      },
      at,
    )
    return String(id)
  })

describe("zendesk audit_logs through the simulator, over real HTTP", () => {
  it.scoped("pages to the end with page[after], oldest first, each record once, up to now − settle", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* simulator(80)
      const read = yield* readToEnd(accountOf(sim), {}, 25)
      const ids = read.activities.map((a) => a.id)
      expect([...ids].sort()).toEqual(settledIds(sim, NOW - SETTLE_MS))
      expect(new Set(ids).size).toBe(ids.length)
      const times = read.activities.map((a) => Date.parse(a.created_at))
      expect(times.every((t, i) => i === 0 || (times[i - 1] ?? 0) <= t)).toBe(true)
      const requests = listRequests(sim)
      expect(requests.filter((r) => param(r, "page[after]").length > 0).length).toBeGreaterThanOrEqual(2)
      for (const request of requests) {
        expect(param(request, "sort")).toEqual(["created_at"])
        expect(param(request, "page[size]")).toEqual(["25"])
        expect(param(request, "filter[created_at][]")).toHaveLength(2)
      }
      // Mapped per the spec's output matrix for Zendesk; remote_data is the record as received.
      const first = read.pages[0]?.records[0]
      const raw = first?.raw as Record<string, unknown>
      expect(first === undefined ? undefined : Either.getOrThrow(first.mapped)).toMatchObject({
        id: String(raw.id),
        created_at: new Date(String(raw.created_at)).toISOString(),
        remote_data: raw,
      })
    }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped(
    "every filter reaches Zendesk as its filter[...] parameter; created_at as the range's start",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(NOW)
        const sim = yield* simulator(80)
        const target = sim.auditLogs().find((r) => r.source_type === "user" && r.action === "update")
        expect(target).toBeDefined()
        const createdAt = new Date(Date.parse(String(target?.created_at)) - 1_000).toISOString()
        const filters: ActivityFilters = {
          created_at: createdAt,
          actor_id: String(target?.actor_id),
          action: "updated",
          entity: String(target?.source_id),
          entity_type: "user",
          ip_address: String(target?.ip_address),
        }
        const read = yield* readToEnd(accountOf(sim), filters, 100)
        const [request] = listRequests(sim)
        expect(request).toBeDefined()
        if (request === undefined) return
        expect(param(request, "filter[created_at][]")).toEqual([
          createdAt.replace(".000Z", "Z"),
          second(NOW - SETTLE_MS - 1_000),
        ])
        expect(param(request, "filter[actor_id]")).toEqual([filters.actor_id])
        expect(param(request, "filter[action]")).toEqual(["update"])
        expect(param(request, "filter[source_id]")).toEqual([filters.entity])
        expect(param(request, "filter[source_type]")).toEqual(["user"])
        expect(param(request, "filter[ip_address]")).toEqual([filters.ip_address])
        expect(read.activities.map((a) => a.id)).toContain(String(target?.id))
        for (const activity of read.activities) {
          expect(activity).toMatchObject({ action: "updated", entity_type: "user", entity: filters.entity })
          expect(Date.parse(activity.created_at)).toBeGreaterThanOrEqual(Date.parse(createdAt))
        }
        // An action Zendesk never records matches nothing, without a request.
        const before = listRequests(sim).length
        const none = yield* readToEnd(accountOf(sim), { action: "login_failed" }, 100)
        expect(none.activities).toEqual([])
        expect(listRequests(sim).length).toBe(before)
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped(
    "tails records added after catching up, several sharing one second, none repeated or missed",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(NOW)
        const sim = yield* simulator(20)
        const account = accountOf(sim)
        const caughtUp = yield* readToEnd(account, {}, 100)
        const seen = new Set(caughtUp.activities.map((a) => a.id))

        const boundary = NOW + 5_000
        const burst = injectAt(sim, 5, boundary)
        yield* TestClock.adjust(SETTLE_MS + 10_000)
        // Pages of two split the five records of one second across reads: the boundary ids carry the split.
        const tail = yield* readToEnd(account, {}, 2, caughtUp.positions)
        // Records Zendesk makes visible late, in the very second the stream has passed.
        const late = injectAt(sim, 3, boundary)
        const again = yield* readToEnd(account, {}, 2, tail.positions)
        const tailIds = [...tail.activities, ...again.activities].map((a) => a.id)
        expect(new Set(tailIds).size).toBe(tailIds.length)
        for (const id of tailIds) expect(seen.has(id)).toBe(false)
        // The history's own records inside the settle window at catch-up arrive in the tail as well.
        expect(new Set(tailIds)).toEqual(
          new Set([
            ...settledIds(sim, NOW + SETTLE_MS + 10_000 - SETTLE_MS).filter((id) => !seen.has(id)),
            ...late,
          ]),
        )
        for (const id of [...burst, ...late]) expect(tailIds).toContain(id)
        const idle = yield* readToEnd(account, {}, 2, again.positions)
        expect(idle.activities).toEqual([])
      }).pipe(Effect.provide(ProviderClientsTest)),
  )
})
