import { randomBytes, randomUUID } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Either, Layer } from "effect"
import { stringify } from "yaml"
import { ApiServer } from "../../src/api/HttpServer.ts"
import { Config, parseConfig } from "../../src/config/loadConfig.ts"
import { CursorCodec } from "../../src/cursor/CursorCodec.ts"
import { startAtlassianSimulator } from "../../src/simulators/atlassian/AtlassianSimulator.ts"
import { startGitHubSimulator } from "../../src/simulators/github/GitHubSimulator.ts"
import { testProviderClients } from "../support/providerClients.ts"

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
  const apiKey = randomBytes(24).toString("base64url")
  const ids = { github: randomUUID(), atlassian: randomUUID() }
  const yaml = stringify({
    server: {
      host: "127.0.0.1",
      port: 0,
      management: { port: 0 },
      api_keys: [apiKey],
      cursor_secret: randomBytes(32).toString("base64url"),
    },
    accounts: [
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
    ],
  })
  const loaded = Either.getOrThrow(parseConfig("github-atlassian.yaml", yaml, {}))
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
  /** Every page by next_cursor until null. */
  const listAll = (params: Record<string, string>) =>
    Effect.gen(function* () {
      const found: Array<NonNullable<Answer["body"]["result"]>[number]> = []
      let cursor: string | null | undefined
      for (let i = 0; i < 50 && cursor !== null; i++) {
        const answer = yield* list({ ...params, ...(cursor ? { next_cursor: cursor } : {}) })
        expect(answer.status, JSON.stringify(answer.body)).toBe(200)
        found.push(...(answer.body.result ?? []))
        cursor = answer.body.next_cursor
      }
      expect(cursor).toBeNull()
      return found
    })
  return { github, atlassian, ids, list, listAll }
})

const timeOf = (event: unknown) => (event as { "@timestamp": number })["@timestamp"]

describe("github and atlassian through the endpoint", () => {
  it.scopedLive(
    "github: the org's settled audit events by next_cursor, each once; organization_id required and checked",
    () =>
      Effect.gen(function* () {
        const { github, ids, list, listAll } = yield* api
        const started = Date.now()
        const found = yield* listAll({
          integrated_account_id: ids.github,
          organization_id: github.org,
          limit: "7",
        })
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
        const { atlassian, ids, list, listAll } = yield* api
        const found = yield* listAll({ integrated_account_id: ids.atlassian, limit: "9" })
        expect(found.map((a) => a.id)).toEqual(atlassian.events().map((e) => (e as { id: string }).id))
        expect(found.every((a) => a.organization === atlassian.orgId)).toBe(true)

        const logins = yield* listAll({ integrated_account_id: ids.atlassian, action: "login", limit: "50" })
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
