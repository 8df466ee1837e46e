import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { jira } from "../../../src/providers/jira/index.ts"
import { auditRecordsPaging } from "../../../src/providers/jira/streams/auditRecords.ts"
import { startJiraSimulator } from "../../../src/simulators/jira/JiraSimulator.ts"
import { ProviderClientsTest } from "../../support/providerClients.ts"
import { accountOn, readAccountToEnd as readToEnd } from "../../support/readAccountToEnd.ts"
import {
  describeAtlassianAuditStream,
  expectedActivities,
  inTimeOrder,
  sortedIds,
  variant,
} from "../atlassianAudit/kit.ts"

const PATH = "/rest/api/3/auditing/record"

describe("jira audit records through the simulator, over real HTTP: Jira's own paging", () => {
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
})

describeAtlassianAuditStream({
  adapter: jira,
  start: (historySize) => startJiraSimulator({ seed: 5, historySize }),
  path: PATH,
  paging: auditRecordsPaging,
  from: { param: "from", written: (iso) => iso },
  until: { param: "to", form: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/ },
  userCreated: (tag, at) => ({
    id: 900_000 + tag,
    summary: "User created",
    created: new Date(at).toISOString().replace("Z", "+0000"),
    category: "user management",
    eventSource: "",
    objectItem: { id: `ug:${tag}`, name: `ug:${tag}`, typeName: "USER" },
  }),
  idsOf: (records) => records.map((record) => String((record as { id: unknown }).id)),
})
