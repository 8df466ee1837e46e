import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { confluence } from "../../../src/providers/confluence/index.ts"
import { auditRecordId } from "../../../src/providers/confluence/recordId.ts"
import { auditRecordsPaging } from "../../../src/providers/confluence/streams/auditRecords.ts"
import { startConfluenceSimulator } from "../../../src/simulators/confluence/ConfluenceSimulator.ts"
import { ProviderClientsTest } from "../../support/providerClients.ts"
import { accountOn, readAccountToEnd as readToEnd } from "../../support/readAccountToEnd.ts"
import {
  describeAtlassianAuditStream,
  expectedActivities,
  inTimeOrder,
  sortedIds,
  variant,
} from "../atlassianAudit/kit.ts"

const simulator = (historySize = 40, systemPageLimit?: number) =>
  startConfluenceSimulator({ seed: 5, historySize, ...(systemPageLimit ? { systemPageLimit } : {}) })
const PATH = "/wiki/rest/api/audit"
const idsOf = (records: ReadonlyArray<unknown>) => records.map(auditRecordId).sort()

const userCreated = (tag: number, at: number) => ({
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
  affectedObject: { name: `User ${tag}`, objectType: "User" },
  changedValues: [],
  associatedObjects: [],
})

describe("confluence audit records through the simulator, over real HTTP: Confluence's own paging", () => {
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
})

describeAtlassianAuditStream({
  adapter: confluence,
  start: (historySize) => simulator(historySize),
  path: PATH,
  paging: auditRecordsPaging,
  // Epoch milliseconds.
  from: { param: "startDate", written: (iso) => String(Date.parse(iso)) },
  until: { param: "endDate", form: /^\d{13}$/ },
  userCreated,
  idsOf: (records) => records.map(auditRecordId),
})
