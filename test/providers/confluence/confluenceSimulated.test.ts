import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { confluence } from "../../../src/providers/confluence/index.ts"
import { auditRecordId } from "../../../src/providers/confluence/recordId.ts"
import { auditRecordsPaging } from "../../../src/providers/confluence/streams/auditRecords.ts"
import { startConfluenceSimulator } from "../../../src/simulators/confluence/ConfluenceSimulator.ts"
import { ProviderClientsTest } from "../../support/providerClients.ts"
import { accountOn, readAccountToEnd as readToEnd } from "../../support/readAccountToEnd.ts"
import { expectedActivities, inTimeOrder, sortedIds, variant } from "../jira/atlassianAuditKit.ts"

const simulator = (historySize = 40, systemPageLimit?: number) =>
  startConfluenceSimulator({ seed: 5, historySize, ...(systemPageLimit ? { systemPageLimit } : {}) })
const PATH = "/wiki/rest/api/audit"
const idsOf = (records: ReadonlyArray<unknown>) => records.map(auditRecordId).sort()

const userCreated = (name: string, at: number) => ({
  author: {
    type: "user",
    displayName: "System",
    operations: null,
    accountType: "",
    publicName: "Unknown user",
  },
  remoteAddress: "198.51.100.9",
  creationDate: at,
  summary: "User created",
  description: "",
  category: "Users and groups",
  sysAdmin: false,
  superAdmin: false,
  affectedObject: { name, objectType: "User" },
  changedValues: [],
  associatedObjects: [],
})

describe("confluence audit records through the simulator, over real HTTP", () => {
  it.scopedLive(
    "pages by start to the end of the window, oldest first, each record once; a capped limit is followed",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator(40)
        const account = accountOn(confluence, sim)
        const expected = expectedActivities(confluence, account, sim.events())
        const read = yield* readToEnd(confluence, account, {}, 1000)
        expect(sortedIds(read.activities)).toEqual(sortedIds(expected))
        expect(inTimeOrder(read.activities)).toBe(true)

        expect(sim.requests().every((r) => r.params.limit === "1000")).toBe(true)
        // Pages of seven (a variant of the stream): every read follows the offsets to the end of its window.
        const before = sim.requests().length
        const paged = yield* readToEnd(variant(confluence, { paging: auditRecordsPaging(7) }), account, {}, 7)
        expect(sortedIds(paged.activities)).toEqual(sortedIds(expected))
        expect(new Set(paged.activities.map((a) => a.id)).size).toBe(expected.length)
        const requests = sim
          .requests()
          .slice(before)
          .filter((r) => r.path === PATH)
        const secondRead = requests.findIndex((r, i) => i > 0 && r.params.start === "0")
        const firstRead = requests.slice(0, secondRead)
        expect(firstRead.slice(0, 3).map((r) => [r.params.start, r.params.limit])).toEqual([
          ["0", "7"],
          ["7", "7"],
          ["14", "7"],
        ])
        // One closed window per read, in epoch milliseconds.
        expect(new Set(firstRead.map((r) => `${r.params.startDate} ${r.params.endDate}`)).size).toBe(1)
        expect(firstRead[0]?.params.endDate).toMatch(/^\d{13}$/)

        // Confluence cuts pages to a system limit of 4 whatever is asked, and echoes it: the read goes on.
        const capped = yield* simulator(30, 4)
        const cappedAccount = accountOn(confluence, capped)
        const all = yield* readToEnd(confluence, cappedAccount, {}, 50)
        expect(sortedIds(all.activities)).toEqual(idsOf(capped.events()))
        expect(capped.requests().filter((r) => r.records === 4).length).toBeGreaterThan(3)
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scopedLive("created_at reaches Confluence as startDate (epoch ms) and is applied exactly", () =>
    Effect.gen(function* () {
      const sim = yield* simulator(60)
      const account = accountOn(confluence, sim)
      const expected = expectedActivities(confluence, account, sim.events())
      const middle = expected[Math.floor(expected.length / 2)]?.created_at as string
      const read = yield* readToEnd(confluence, account, { created_at: middle }, 1000)
      expect(sim.requests().find((r) => r.path === PATH)?.params.startDate).toBe(String(Date.parse(middle)))
      expect(sortedIds(read.activities)).toEqual(
        sortedIds(expected.filter((a) => Date.parse(a.created_at) >= Date.parse(middle))),
      )
    }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scopedLive(
    "tails records added after catching up, several sharing one millisecond, none repeated or missed",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator(20)
        const account = accountOn(confluence, sim)
        const caughtUp = yield* readToEnd(confluence, account, {}, 100)
        const seen = new Set(caughtUp.activities.map((a) => a.id))
        const boundary = Date.now() - 45_000
        const burst = sim.emitAt(3, boundary)
        const tail = yield* readToEnd(confluence, account, {}, 2, caughtUp.positions)
        const late = sim.emitAt(2, boundary)
        const again = yield* readToEnd(confluence, account, {}, 2, tail.positions)
        const tailIds = [...tail.activities, ...again.activities].map((a) => a.id)
        expect(new Set(tailIds).size).toBe(tailIds.length)
        for (const id of tailIds) expect(seen.has(id)).toBe(false)
        expect(tailIds.sort()).toEqual(idsOf([...burst, ...late]))
        const idle = yield* readToEnd(confluence, account, {}, 2, again.positions)
        expect(idle.activities).toEqual([])
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped(
    "records arriving between two pages of one read (new ones, and a late one that shifts the offsets) are neither missed nor repeated",
    () =>
      Effect.gen(function* () {
        // On the TestClock, which the simulator lives by: the settle window is stepped over, not waited.
        yield* TestClock.setTime(Date.now())
        const sim = yield* simulator(10)
        // Pages of three, and a short settle window.
        const adapter = variant(confluence, { settleMs: 500, paging: auditRecordsPaging(3) })
        const account = accountOn(confluence, sim)
        const caughtUp = yield* readToEnd(adapter, account, {}, 100)
        // Four records and pages of three: the boundary record is among the oldest three of the read.
        const now = yield* TestClock.currentTimeMillis
        const start = now - 20_000
        const window = [0, 1, 2, 3].map((i) => {
          const record = userCreated(`Window ${i}`, start + i * 1_000)
          sim.inject([record], start + i * 1_000)
          return record
        })
        let arrived: ReadonlyArray<unknown> = []
        sim.afterNextPage(() => {
          const fresh = userCreated("Brand new", now)
          const late = userCreated("Committed late", now - 10_000)
          sim.inject([fresh], fresh.creationDate)
          sim.inject([late], late.creationDate)
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

  it.scopedLive("an OAuth access token goes as Bearer; an email and API token as Basic", () =>
    Effect.gen(function* () {
      const sim = yield* simulator(5)
      const bearer = accountOn(confluence, sim, { credentials: { access_token: sim.accessToken } })
      const oauth = yield* readToEnd(confluence, bearer, {}, 100)
      expect(oauth.activities.length).toBe(sim.events().length)
      expect(sim.requests().every((r) => r.authScheme === "Bearer")).toBe(true)
      const asked = sim.requests().length
      yield* readToEnd(confluence, accountOn(confluence, sim), {}, 100)
      expect(
        sim
          .requests()
          .slice(asked)
          .every((r) => r.authScheme === "Basic"),
      ).toBe(true)
    }).pipe(Effect.provide(ProviderClientsTest)),
  )
})
