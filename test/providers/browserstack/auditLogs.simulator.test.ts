import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { browserstack } from "../../../src/providers/browserstack/index.ts"
import { syntheticId } from "../../../src/providers/browserstack/recordId.ts"
import { auditLogsPaging } from "../../../src/providers/browserstack/streams/auditLogs.ts"
import { startBrowserStackSimulator } from "../../../src/simulators/browserstack/BrowserStackSimulator.ts"
import { ProviderClientsTest } from "../../support/providerClients.ts"
import { accountOn, readAccountToEnd as readToEnd } from "../../support/readAccountToEnd.ts"
import { expectedActivities, inTimeOrder, sortedIds, variant } from "../atlassianAudit/kit.ts"

// The simulator speaks the ASSUMED logs protocol (see the adapter); these tests pin the adapter to it.
/** A generous budget, except where the rate limit itself is under test. */
const simulator = (historySize = 40, budget: { burst?: number; requestsPerMinute?: number } = {}) =>
  startBrowserStackSimulator({ seed: 5, historySize, burst: 10_000, requestsPerMinute: 100_000, ...budget })
const PATH = "/audit/v1/logs"
const idsOf = (records: ReadonlyArray<unknown>) => records.map(syntheticId).sort()

const signedIn = (email: string, at: number) => ({
  timestamp: new Date(at).toISOString(),
  activity: "signed_in",
  category: "accounts",
  description: "Signed in",
  actor: { email },
  ip_address: "198.51.100.9",
})

describe("browserstack audit logs through the simulator, over real HTTP", () => {
  it.scopedLive("pages by offset to the end of the window, oldest first, each entry once; Basic auth", () =>
    Effect.gen(function* () {
      const sim = yield* simulator(40)
      const account = accountOn(browserstack, sim)
      const expected = expectedActivities(browserstack, account, sim.events())
      const read = yield* readToEnd(browserstack, account, {}, 1000)
      expect(sortedIds(read.activities)).toEqual(sortedIds(expected))
      expect(inTimeOrder(read.activities)).toBe(true)
      expect(read.activities.some((a) => a.action === "login_failed")).toBe(true)
      expect(sim.requests().every((r) => r.params.limit === "100" && r.authScheme === "Basic")).toBe(true)

      const before = sim.requests().length
      const paged = yield* readToEnd(variant(browserstack, { paging: auditLogsPaging(7) }), account, {}, 7)
      expect(sortedIds(paged.activities)).toEqual(sortedIds(expected))
      const requests = sim.requests().slice(before)
      expect(requests.slice(0, 3).map((r) => [r.path, r.params.offset, r.params.limit])).toEqual([
        [PATH, "0", "7"],
        [PATH, "7", "7"],
        [PATH, "14", "7"],
      ])
      // One closed window per read: the same dates on every page of it, the upper bound ISO 8601.
      const firstRead = requests.slice(0, 6)
      expect(new Set(firstRead.map((r) => `${r.params.from_date} ${r.params.to_date}`)).size).toBe(1)
      expect(firstRead[0]?.params.to_date).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
    }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scopedLive(
    "tails entries added after catching up, several sharing one instant, none repeated or missed",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator(20)
        const account = accountOn(browserstack, sim)
        const caughtUp = yield* readToEnd(browserstack, account, {}, 100)
        const seen = new Set(caughtUp.activities.map((a) => a.id))
        const boundary = Date.now() - 45_000
        const burst = sim.emitAt(3, boundary)
        const tail = yield* readToEnd(browserstack, account, {}, 2, caughtUp.positions)
        expect(tail.pages[0]?.positions).toBeDefined()
        const late = sim.emitAt(2, boundary)
        const again = yield* readToEnd(browserstack, account, {}, 2, tail.positions)
        const tailIds = [...tail.activities, ...again.activities].map((a) => a.id)
        expect(new Set(tailIds).size).toBe(tailIds.length)
        for (const id of tailIds) expect(seen.has(id)).toBe(false)
        expect(tailIds.sort()).toEqual(idsOf([...burst, ...late]))
        // The tail's reads start at the watermark, not from the beginning of history.
        const tailRequest = sim.requests().at(-1)
        expect(Date.parse(tailRequest?.params.from_date ?? "")).toBe(boundary)
        const idle = yield* readToEnd(browserstack, account, {}, 2, again.positions)
        expect(idle.activities).toEqual([])
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped(
    "entries arriving between two pages of one read (a new one, and a late one that shifts the offsets) are neither missed nor repeated",
    () =>
      Effect.gen(function* () {
        // On the TestClock, which the simulator lives by: the settle window is stepped over, not waited.
        yield* TestClock.setTime(Date.now())
        const sim = yield* simulator(10)
        // Pages of three, and a short settle window.
        const adapter = variant(browserstack, { settleMs: 500, paging: auditLogsPaging(3) })
        const account = accountOn(browserstack, sim)
        const caughtUp = yield* readToEnd(adapter, account, {}, 100)
        const now = yield* TestClock.currentTimeMillis
        const start = now - 20_000
        const window = [0, 1, 2, 3].map((i) => {
          const entry = signedIn(`w${i}@acme.example`, start + i * 1_000)
          sim.inject([entry], start + i * 1_000)
          return entry
        })
        let arrived: ReadonlyArray<unknown> = []
        sim.afterNextPage(() => {
          const fresh = signedIn("new@acme.example", now)
          const late = signedIn("late@acme.example", now - 10_000)
          sim.inject([fresh], Date.parse(fresh.timestamp))
          sim.inject([late], Date.parse(late.timestamp))
          arrived = [fresh, late]
        })
        const during = yield* readToEnd(adapter, account, {}, 3, caughtUp.positions)
        yield* TestClock.adjust("700 millis")
        const after = yield* readToEnd(adapter, account, {}, 3, during.positions)
        const ids = [...during.activities, ...after.activities].map((a) => a.id)
        expect(new Set(ids).size).toBe(ids.length)
        expect(ids.sort()).toEqual(idsOf([...window, ...arrived]))
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("the activities catalogue answers the confirmed shape to the access key as Basic auth", () =>
    Effect.gen(function* () {
      const sim = yield* simulator(5)
      const auth = `Basic ${Buffer.from(`${sim.credentials.username}:${sim.credentials.access_key}`).toString("base64")}`
      const catalogue = yield* Effect.promise(() =>
        fetch(`${sim.baseUrl}/audit/v1/activities`, { headers: { authorization: auth } }).then(
          (r) => r.json() as Promise<{ activities: Record<string, string[]> }>,
        ),
      )
      expect(catalogue.activities.accounts).toContain("failed_to_sign_in")
    }),
  )
})
