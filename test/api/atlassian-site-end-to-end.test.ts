import { randomBytes, randomUUID } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Layer } from "effect"
import { stringify } from "yaml"
import { ApiServer } from "../../src/api/HttpServer.ts"
import { Config, parseConfig } from "../../src/config/loadConfig.ts"
import { CursorCodec } from "../../src/cursor/CursorCodec.ts"
import { confluence } from "../../src/providers/confluence/index.ts"
import { jira } from "../../src/providers/jira/index.ts"
import type { ProviderAdapter } from "../../src/providers/ProviderAdapter.ts"
import { startConfluenceSimulator } from "../../src/simulators/confluence/ConfluenceSimulator.ts"
import { startJiraSimulator } from "../../src/simulators/jira/JiraSimulator.ts"
import { expectedActivities } from "../providers/atlassianAudit/kit.ts"
import { testProviderClients } from "../support/providerClients.ts"
import { accountOn } from "../support/readAccountToEnd.ts"

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
  const apiKey = randomBytes(24).toString("base64url")
  const ids = { jira: randomUUID(), confluence: randomUUID(), refused: randomUUID() }
  const yaml = stringify({
    server: {
      host: "127.0.0.1",
      port: 0,
      management: { port: 0 },
      api_keys: [apiKey],
      cursor_secret: randomBytes(32).toString("base64url"),
    },
    accounts: [
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
    ],
  })
  const loaded = Either.getOrThrow(parseConfig("atlassian-site.yaml", yaml, {}))
  const server = yield* Layer.build(
    Layer.provide(
      ApiServer.layer,
      Layer.mergeAll(
        Config.layer(loaded),
        CursorCodec.layer(loaded.config.server.cursor_secret),
        testProviderClients({ maxRetries: 1 }),
      ),
    ),
  )
  const url = Context.get(server, ApiServer).url
  const list = (params: Record<string, string>) =>
    Effect.promise(async (): Promise<Answer> => {
      const response = await fetch(
        new URL(`/unified/user-directory/activities?${new URLSearchParams(params)}`, url),
        {
          headers: { authorization: `Bearer ${apiKey}` },
        },
      )
      return { status: response.status, body: (await response.json()) as Answer["body"] }
    })
  const pageAll = (params: Record<string, string>) =>
    Effect.gen(function* () {
      const ids: string[] = []
      let cursor: string | null | undefined
      for (let i = 0; i < 40 && cursor !== null; i++) {
        const answer = yield* list({ ...params, limit: "7", ...(cursor ? { next_cursor: cursor } : {}) })
        expect(answer.status, JSON.stringify(answer.body)).toBe(200)
        expect((answer.body.result ?? []).length).toBeLessThanOrEqual(7)
        ids.push(...(answer.body.result ?? []).map((a) => a.id))
        cursor = answer.body.next_cursor
      }
      expect(cursor).toBeNull()
      return ids
    })
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
