import { randomUUID } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startAtlassianSimulator } from "../../src/simulators/atlassian/AtlassianSimulator.ts"
import { startGitHubSimulator } from "../../src/simulators/github/GitHubSimulator.ts"
import { apiOverAccounts, listAll } from "./apiOverSimulator.ts"

interface Answer {
  readonly status: number
  readonly body: {
    readonly result?: ReadonlyArray<{ id: string; action?: string; organization?: string; context?: unknown }>
    readonly next_cursor?: string | null
    readonly error?: { code: string; param?: string }
  }
}

const api = Effect.gen(function* () {
  const github = yield* startGitHubSimulator({ seed: 41, historySize: 40 })
  const atlassian = yield* startAtlassianSimulator({ seed: 41, historySize: 40 })
  const ids = { github: randomUUID(), atlassian: randomUUID() }
  const { list } = yield* apiOverAccounts<Answer["body"]>([
    {
      id: ids.github,
      integration: "github",
      base_url: github.baseUrl,
      credentials: github.credentials,
      organization_id: github.org,
    },
    {
      id: ids.atlassian,
      integration: "atlassian",
      base_url: atlassian.baseUrl,
      credentials: atlassian.credentials,
      organization_id: atlassian.orgId,
    },
  ])
  return { github, atlassian, ids, list }
})

const timeOf = (event: unknown) => (event as { "@timestamp": number })["@timestamp"]

describe("github and atlassian through the endpoint", () => {
  it.scopedLive(
    "github: the org's settled audit events by next_cursor, each once; organization_id required and checked",
    () =>
      Effect.gen(function* () {
        const { github, ids, list } = yield* api
        const started = Date.now()
        const found = yield* listAll(
          list,
          { integrated_account_id: ids.github, organization_id: github.org },
          { limit: 7, maxPages: 50 },
        )
        const expected = github
          .events()
          .filter((e) => timeOf(e) < started - 5 * 60_000)
          .map((e) => (e as { _document_id: string })._document_id)
        expect(found.map((a) => a.id).sort()).toEqual([...expected].sort())
        expect(new Set(found.map((a) => a.id)).size).toBe(found.length)
        // No context for GitHub in the spec; the org fills `organization`.
        expect(found.every((a) => a.context === undefined && a.organization === github.org)).toBe(true)

        expect((yield* list({ integrated_account_id: ids.github })).body.error).toMatchObject({
          code: "invalid_parameter",
          param: "organization_id",
        })
        expect(
          (yield* list({ integrated_account_id: ids.github, organization_id: "someone-else" })).body.error,
        ).toMatchObject({ code: "invalid_parameter", param: "organization_id" })
        expect(
          (yield* list({
            integrated_account_id: ids.github,
            organization_id: github.org,
            created_at: "2026-01-01T00:00:00Z",
          })).body.error,
        ).toMatchObject({ code: "invalid_parameter", param: "created_at" })
      }),
  )

  it.scopedLive(
    "atlassian: the org's events by next_cursor, each once; action=login post-filtered; no organization_id filter",
    () =>
      Effect.gen(function* () {
        const { atlassian, ids, list } = yield* api
        const found = yield* listAll(
          list,
          { integrated_account_id: ids.atlassian },
          { limit: 9, maxPages: 50 },
        )
        expect(found.map((a) => a.id)).toEqual(atlassian.events().map((e) => (e as { id: string }).id))
        expect(found.every((a) => a.organization === atlassian.orgId)).toBe(true)

        const logins = yield* listAll(
          list,
          { integrated_account_id: ids.atlassian, action: "login" },
          { limit: 50, maxPages: 50 },
        )
        expect(logins.length).toBeGreaterThan(0)
        expect(logins.every((a) => a.action === "login")).toBe(true)
        expect(logins.length).toBe(found.filter((a) => a.action === "login").length)

        expect(
          (yield* list({ integrated_account_id: ids.atlassian, organization_id: atlassian.orgId })).body
            .error,
        ).toMatchObject({ code: "invalid_parameter", param: "organization_id" })
      }),
  )
})
