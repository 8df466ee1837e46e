import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { auditRecordsPaging } from "../../../src/providers/confluence/auditRecords.ts"
import { confluence } from "../../../src/providers/confluence/index.ts"
import { auditRecordId } from "../../../src/providers/confluence/syntheticId.ts"
import { startConfluenceSimulator } from "../../../src/simulators/confluence/ConfluenceSimulator.ts"
import {
  AtlassianLive,
  expectedActivities,
  inTimeOrder,
  readToEnd,
  siteAccount,
  sortedIds,
  variant,
} from "../jira/atlassianAuditKit.ts"

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
        const account = siteAccount(confluence, sim.baseUrl, sim.credentials)
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
        const cappedAccount = siteAccount(confluence, capped.baseUrl, capped.credentials)
        const all = yield* readToEnd(confluence, cappedAccount, {}, 50)
        expect(sortedIds(all.activities)).toEqual(idsOf(capped.events()))
        expect(capped.requests().filter((r) => r.records === 4).length).toBeGreaterThan(3)
      }).pipe(Effect.provide(AtlassianLive)),
  )

  it.scopedLive("created_at reaches Confluence as startDate (epoch ms) and is applied exactly", () =>
    Effect.gen(function* () {
      const sim = yield* simulator(60)
      const account = siteAccount(confluence, sim.baseUrl, sim.credentials)
      const expected = expectedActivities(confluence, account, sim.events())
      const middle = expected[Math.floor(expected.length / 2)]?.created_at as string
      const read = yield* readToEnd(confluence, account, { created_at: middle }, 1000)
      expect(sim.requests().find((r) => r.path === PATH)?.params.startDate).toBe(String(Date.parse(middle)))
      expect(sortedIds(read.activities)).toEqual(
        sortedIds(expected.filter((a) => Date.parse(a.created_at) >= Date.parse(middle))),
      )
    }).pipe(Effect.provide(AtlassianLive)),
  )

  it.scopedLive(
    "tails records added after catching up, several sharing one millisecond, none repeated or missed",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator(20)
        const account = siteAccount(confluence, sim.baseUrl, sim.credentials)
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
      }).pipe(Effect.provide(AtlassianLive)),
  )

  it.scopedLive(
    "records arriving between two pages of one read (new ones, and a late one that shifts the offsets) are neither missed nor repeated",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator(10)
        // Pages of three, and a settle window short enough to wait out here.
        const adapter = variant(confluence, { settleMs: 500, paging: auditRecordsPaging(3) })
        const account = siteAccount(confluence, sim.baseUrl, sim.credentials)
        const caughtUp = yield* readToEnd(adapter, account, {}, 100)
        // Four records and pages of three: the boundary record is among the oldest three of the read.
        const start = Date.now() - 20_000
        const window = [0, 1, 2, 3].map((i) => {
          const record = userCreated(`Window ${i}`, start + i * 1_000)
          sim.inject([record], start + i * 1_000)
          return record
        })
        let arrived: ReadonlyArray<unknown> = []
        sim.afterNextPage(() => {
          const fresh = userCreated("Brand new", Date.now())
          const late = userCreated("Committed late", Date.now() - 10_000)
          sim.inject([fresh], fresh.creationDate)
          sim.inject([late], late.creationDate)
          arrived = [fresh, late]
        })
        const during = yield* readToEnd(adapter, account, {}, 3, caughtUp.positions)
        yield* Effect.sleep("700 millis")
        const after = yield* readToEnd(adapter, account, {}, 3, during.positions)
        const ids = [...during.activities, ...after.activities].map((a) => a.id)
        expect(new Set(ids).size).toBe(ids.length)
        expect(ids.sort()).toEqual(idsOf([...window, ...arrived]))
      }).pipe(Effect.provide(AtlassianLive)),
  )

  it.scopedLive("waits out a 429 with Retry-After and an ISO X-RateLimit-Reset, then reads on", () =>
    Effect.gen(function* () {
      const sim = yield* simulator(10)
      const account = siteAccount(confluence, sim.baseUrl, sim.credentials)
      sim.forceRateLimited(1, 1_200)
      const started = Date.now()
      const read = yield* readToEnd(confluence, account, {}, 100)
      expect(sortedIds(read.activities)).toEqual(idsOf(sim.events()))
      const statuses = sim.requests().map((r) => r.status)
      expect(statuses[0]).toBe(429)
      expect(statuses.slice(1).every((s) => s === 200)).toBe(true)
      expect(Date.now() - started).toBeGreaterThanOrEqual(900)
    }).pipe(Effect.provide(AtlassianLive)),
  )

  it.scopedLive("a malformed record is dead-lettered once while the rest of the page arrives", () =>
    Effect.gen(function* () {
      const sim = yield* simulator(10)
      const account = siteAccount(confluence, sim.baseUrl, sim.credentials)
      const first = yield* readToEnd(confluence, account, {}, 100)
      const at = Date.now() - 40_000
      const broken = sim.injectMalformed("text-creation-date", at)
      const good = sim.emitAt(2, at)
      const next = yield* readToEnd(confluence, account, {}, 100, first.positions)
      const rejected = next.pages.flatMap((p) => p.records.filter((r) => Either.isLeft(r.mapped)))
      expect(rejected).toHaveLength(1)
      expect(rejected[0]?.raw).toEqual(broken)
      expect(next.activities.map((a) => a.id).sort()).toEqual(idsOf(good))
      const later = yield* readToEnd(confluence, account, {}, 100, next.positions)
      expect(later.pages.flatMap((p) => p.records)).toEqual([])
    }).pipe(Effect.provide(AtlassianLive)),
  )

  it.scopedLive("an OAuth access token goes as Bearer; a refused API token is ProviderUnauthorized 401", () =>
    Effect.gen(function* () {
      const sim = yield* simulator(5)
      const oauth = yield* readToEnd(
        confluence,
        siteAccount(confluence, sim.baseUrl, { access_token: sim.accessToken }),
        {},
        100,
      )
      expect(sortedIds(oauth.activities)).toEqual(idsOf(sim.events()))
      expect(sim.requests().every((r) => r.authScheme === "Bearer")).toBe(true)
      const refused = siteAccount(confluence, sim.baseUrl, {
        email: sim.credentials.email,
        api_token: "revoked",
      })
      const error = yield* Effect.flip(readToEnd(confluence, refused, {}, 10))
      expect(error).toMatchObject({ _tag: "ProviderUnauthorized", status: 401 })
      expect(sim.requests().at(-1)?.authScheme).toBe("Basic")
    }).pipe(Effect.provide(AtlassianLive)),
  )
})
