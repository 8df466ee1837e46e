import { randomUUID } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { confluence } from "../../src/providers/confluence/index.ts"
import { jira } from "../../src/providers/jira/index.ts"
import type { ProviderAdapter } from "../../src/providers/ProviderAdapter.ts"
import { startConfluenceSimulator } from "../../src/simulators/confluence/ConfluenceSimulator.ts"
import { startJiraSimulator } from "../../src/simulators/jira/JiraSimulator.ts"
import { expectedActivities } from "../providers/atlassianAudit/kit.ts"
import { accountOn } from "../support/readAccountToEnd.ts"
import { apiOverAccounts, listAll } from "./apiOverSimulator.ts"

// Jira and Confluence through `GET /unified/user-directory/activities`: paged to the end by next_cursor,
// created_at applied, the filters the spec does not list for them refused, a refused token remote_unauthorized.

interface Answer {
  readonly status: number
  readonly body: {
    readonly result?: ReadonlyArray<{ id: string; created_at: string; action?: string }>
    readonly next_cursor?: string | null
    readonly error?: { code: string }
  }
}

const siteApi = Effect.gen(function* () {
  const sims = {
    jira: yield* startJiraSimulator({ seed: 11, historySize: 30 }),
    confluence: yield* startConfluenceSimulator({ seed: 11, historySize: 30 }),
  }
  const ids = { jira: randomUUID(), confluence: randomUUID(), refused: randomUUID() }
  const { list } = yield* apiOverAccounts<Answer["body"]>([
    { id: ids.jira, integration: "jira", base_url: sims.jira.baseUrl, credentials: sims.jira.credentials },
    {
      id: ids.confluence,
      integration: "confluence",
      base_url: sims.confluence.baseUrl,
      credentials: { access_token: sims.confluence.accessToken },
    },
    {
      id: ids.refused,
      integration: "jira",
      base_url: sims.jira.baseUrl,
      credentials: { email: sims.jira.credentials.email, api_token: "revoked" },
    },
  ])
  const pageAll = (params: Record<string, string>) =>
    listAll(list, params, { limit: 7, maxPages: 40 }).pipe(Effect.map((listed) => listed.map((a) => a.id)))
  return { sims, ids, list, pageAll }
})

const cases: ReadonlyArray<readonly ["jira" | "confluence", ProviderAdapter]> = [
  ["jira", jira],
  ["confluence", confluence],
]

describe("Jira and Confluence through the endpoint", () => {
  it.scopedLive.each(cases)(
    "%s: pages by next_cursor until null, each activity once; created_at applied; other filters 400",
    ([name, adapter]) =>
      Effect.gen(function* () {
        const { sims, ids, list, pageAll } = yield* siteApi
        const sim = sims[name]
        const account = accountOn(adapter, sim)
        const expected = expectedActivities(adapter, account, sim.events())
        const all = yield* pageAll({ integrated_account_id: ids[name] })
        expect(new Set(all).size).toBe(all.length)
        expect([...all].sort()).toEqual(expected.map((a) => a.id).sort())

        const middle = expected[Math.floor(expected.length / 2)]?.created_at as string
        const since = yield* pageAll({ integrated_account_id: ids[name], created_at: middle })
        expect([...since].sort()).toEqual(
          expected
            .filter((a) => Date.parse(a.created_at) >= Date.parse(middle))
            .map((a) => a.id)
            .sort(),
        )
        for (const unsupported of [
          { action: "login" },
          { actor_id: "x" },
          { entity_type: "USER" },
          { ip_address: "192.0.2.1" },
        ]) {
          const answer = yield* list({ integrated_account_id: ids[name], ...unsupported })
          expect(answer.status, JSON.stringify(unsupported)).toBe(400)
        }
      }),
  )

  it.scopedLive("a token Jira refuses (401) is remote_unauthorized", () =>
    Effect.gen(function* () {
      const { ids, list } = yield* siteApi
      const answer = yield* list({ integrated_account_id: ids.refused })
      expect(answer.status).toBe(502)
      expect(answer.body.error?.code).toBe("remote_unauthorized")
    }),
  )
})
