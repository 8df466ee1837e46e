import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import { jira } from "../../../src/providers/jira/index.ts"
import { auditRecordsPaging } from "../../../src/providers/jira/streams/auditRecords.ts"
import { startJiraSimulator } from "../../../src/simulators/jira/JiraSimulator.ts"
import { ProviderClientsTest } from "../../support/providerClients.ts"
import { accountOn, readAccountToEnd as readToEnd } from "../../support/readAccountToEnd.ts"
import { expectedActivities, inTimeOrder, sortedIds, variant } from "./atlassianAuditKit.ts"

const simulator = (historySize = 40) => startJiraSimulator({ seed: 5, historySize })
const PATH = "/rest/api/3/auditing/record"

describe("jira audit records through the simulator, over real HTTP", () => {
  it.scopedLive(
    "pages by offset to the end of the window, 1000 at a time, oldest first, each record once",
    () =>
      Effect.gen(function* () {
        const sim = yield* startJiraSimulator({ seed: 5, historySize: 900 })
        const account = accountOn(jira, sim)
        const expected = expectedActivities(jira, account, sim.events())
        expect(expected.length).toBeGreaterThan(1000)
        const read = yield* readToEnd(jira, account, {}, 100)
        expect(sortedIds(read.activities)).toEqual(sortedIds(expected))
        expect(new Set(read.activities.map((a) => a.id)).size).toBe(expected.length)
        expect(inTimeOrder(read.activities)).toBe(true)
        expect(read.pages[0]?.records).toHaveLength(100)

        // Each read follows Jira's offsets to the end of its window, in pages of Jira's maximum.
        const requests = sim.requests().filter((r) => r.path === PATH)
        const secondRead = requests.findIndex((r, i) => i > 0 && r.params.offset === "0")
        const firstRead = requests.slice(0, secondRead)
        expect(firstRead.map((r) => [r.params.offset, r.params.limit])).toEqual([
          ["0", "1000"],
          ["1000", "1000"],
        ])
        // The window is closed and fixed for the read: every page of it asks the same from/to.
        expect(new Set(firstRead.map((r) => `${r.params.from} ${r.params.to}`)).size).toBe(1)

        // Pages of 250 (a variant of the stream): the same records, read through more offsets.
        const paged = yield* readToEnd(variant(jira, { paging: auditRecordsPaging(250) }), account, {}, 500)
        expect(sortedIds(paged.activities)).toEqual(sortedIds(expected))
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scopedLive("created_at reaches Jira as `from` (UTC ISO 8601) and is applied exactly", () =>
    Effect.gen(function* () {
      const sim = yield* simulator(60)
      const account = accountOn(jira, sim)
      const expected = expectedActivities(jira, account, sim.events())
      const middle = expected[Math.floor(expected.length / 2)]?.created_at as string
      const read = yield* readToEnd(jira, account, { created_at: middle }, 1000)
      const first = sim.requests().find((r) => r.path === PATH)
      expect(first?.params.from).toBe(middle)
      expect(first?.params.to).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
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
        const account = accountOn(jira, sim)
        const caughtUp = yield* readToEnd(jira, account, {}, 100)
        const seen = new Set(caughtUp.activities.map((a) => a.id))

        // Older than the 30-second settle window: due on the next poll.
        const boundary = Date.now() - 45_000
        const burst = sim.emitAt(3, boundary)
        const tail = yield* readToEnd(jira, account, {}, 2, caughtUp.positions)
        // Records arriving at the very same millisecond after the stream passed it.
        const late = sim.emitAt(2, boundary)
        const again = yield* readToEnd(jira, account, {}, 2, tail.positions)
        const tailIds = [...tail.activities, ...again.activities].map((a) => a.id)
        expect(new Set(tailIds).size).toBe(tailIds.length)
        for (const id of tailIds) expect(seen.has(id)).toBe(false)
        expect(tailIds.sort()).toEqual([...burst, ...late].map((r) => String(r.id)).sort())
        const idle = yield* readToEnd(jira, account, {}, 2, again.positions)
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
        const adapter = variant(jira, { settleMs: 500, paging: auditRecordsPaging(3) })
        const account = accountOn(jira, sim)
        const caughtUp = yield* readToEnd(adapter, account, {}, 100)
        // Four records and pages of three: the record at the page boundary is among the oldest three, so a
        // shift that brings it twice would publish it twice.
        const now = yield* TestClock.currentTimeMillis
        const start = now - 20_000
        const window = [0, 1, 2, 3].map((i) => {
          const record = {
            id: 900_000 + i,
            summary: "User created",
            created: new Date(start + i * 1_000).toISOString().replace("Z", "+0000"),
            category: "user management",
            eventSource: "",
            objectItem: { id: `ug:${i}`, name: `ug:${i}`, typeName: "USER" },
          }
          sim.inject([record], start + i * 1_000)
          return record
        })
        let arrived: ReadonlyArray<Record<string, unknown>> = []
        sim.afterNextPage(() => {
          // A brand-new record, past the read's `to`, and one committed late inside the window: the newest
          // first list shifts by one under the read's offsets.
          arrived = [...sim.emitAt(1, now), ...sim.emitAt(1, now - 10_000)]
        })
        const during = yield* readToEnd(adapter, account, {}, 3, caughtUp.positions)
        const shifted = sim.requests().filter((r) => r.path === PATH && r.status === 200)
        expect(shifted.length).toBeGreaterThanOrEqual(2)
        yield* TestClock.adjust("700 millis")
        const after = yield* readToEnd(adapter, account, {}, 3, during.positions)
        const ids = [...during.activities, ...after.activities].map((a) => a.id)
        expect(new Set(ids).size).toBe(ids.length)
        expect(ids.sort()).toEqual([...window, ...arrived].map((r) => String(r.id)).sort())
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scopedLive("an OAuth access token goes as Bearer; an email and API token as Basic", () =>
    Effect.gen(function* () {
      const sim = yield* simulator(5)
      const bearer = accountOn(jira, sim, { credentials: { access_token: sim.accessToken } })
      const oauth = yield* readToEnd(jira, bearer, {}, 100)
      expect(oauth.activities.length).toBe(sim.events().length)
      expect(sim.requests().every((r) => r.authScheme === "Bearer")).toBe(true)
      const asked = sim.requests().length
      yield* readToEnd(jira, accountOn(jira, sim), {}, 100)
      expect(
        sim
          .requests()
          .slice(asked)
          .every((r) => r.authScheme === "Basic"),
      ).toBe(true)
    }).pipe(Effect.provide(ProviderClientsTest)),
  )
})
