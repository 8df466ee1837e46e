import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { IntegrationNames } from "../../src/providers/registry.ts"
import { listeners, type RunningCommand, startCommand } from "../support/connectorCommand.ts"
import {
  accountQuery,
  pageToEnd,
  type SimulatedAccount,
  startSimulatedAccounts,
  testApiKey,
  writeConfig,
} from "../support/simulatedAccounts.ts"

/**
 * `serve` as users run it: the shipped command in its own process, with a config of enabled accounts of all
 * thirteen integrations pointing at their simulators (static tokens, Basic credentials and OAuth grants:
 * Salesforce and Zoom fetch their access tokens from the simulators' token endpoints).
 */
const dir = mkdtempSync(join(tmpdir(), "connector-serve-test-"))
const scope = Effect.runSync(Scope.make())
let accounts: ReadonlyArray<SimulatedAccount> = []
let serve: RunningCommand
let api = ""
const scopedKeys = {
  oktaAccount: "scoped-to-one-okta-account-0123456789",
  zoomIntegration: "scoped-to-the-zoom-integration-0123456789",
}
const accountOf = (integration: string) => {
  const account = accounts.find((a) => a.integration === integration)
  if (account === undefined) throw new Error(`no ${integration} account`)
  return account
}
/** One page of `account` asked with `key`: status and body. */
const pageWith = async (key: string, account: SimulatedAccount) => {
  const response = await fetch(
    `${api}/unified/user-directory/activities?${new URLSearchParams({ ...accountQuery(account), limit: "5" })}`,
    { headers: { authorization: `Bearer ${key}` } },
  )
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

beforeAll(async () => {
  accounts = await Effect.runPromise(
    Scope.extend(startSimulatedAccounts({ historySize: 45, seed: 17 }), scope),
  )
  const okta = accountOf("okta")
  const file = writeConfig(
    dir,
    "serve",
    accounts.map((a) => a.entry),
    {
      server: {
        api_keys: [
          testApiKey,
          { key: scopedKeys.oktaAccount, accounts: [okta.id.toUpperCase()] },
          { key: scopedKeys.zoomIntegration, integrations: ["zoom"] },
        ],
      },
    },
  )
  serve = startCommand(["serve", "--config", file])
  api = (await listeners(serve)).api
}, 120_000)

afterAll(async () => {
  serve?.stop()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  rmSync(dir, { recursive: true, force: true })
})

describe("serve --config, every integration through its simulator", () => {
  it("has one account for each registered integration", () => {
    expect([...new Set(accounts.map((a) => a.integration))].sort()).toEqual([...IntegrationNames].sort())
  })

  it.each(IntegrationNames)(
    "%s: pages to the end by next_cursor, every activity once",
    async (integration) => {
      const account = accounts.find((a) => a.integration === integration)
      if (account === undefined) throw new Error(`no ${integration} account`)
      const pages = await pageToEnd(api, account, 20)
      const ids = pages.flatMap((page) => (page.result ?? []).map((activity) => activity.id))
      // More than one page, so a next_cursor the process issued came back to it and was honoured.
      expect(pages.length).toBeGreaterThan(1)
      expect(pages.every((page) => (page.result ?? []).length <= 20)).toBe(true)
      expect(pages.at(-1)?.next_cursor ?? null).toBeNull()
      expect(new Set(ids).size).toBe(ids.length)
      expect(ids.length).toBeGreaterThanOrEqual(account.simulator.events().length)
    },
    120_000,
  )

  it("a key scoped to one account reads it, and gets 403 forbidden for another account", async () => {
    const own = await pageWith(scopedKeys.oktaAccount, accountOf("okta"))
    expect(own.status, JSON.stringify(own.body)).toBe(200)
    const other = await pageWith(scopedKeys.oktaAccount, accountOf("github"))
    expect(other.status).toBe(403)
    expect(other.body).toEqual({ error: { code: "forbidden", message: expect.any(String) } })
    expect(JSON.stringify(other.body)).not.toContain(scopedKeys.oktaAccount)
  })

  it("a key scoped to an integration reads its accounts, and gets 403 for another integration's", async () => {
    const own = await pageWith(scopedKeys.zoomIntegration, accountOf("zoom"))
    expect(own.status, JSON.stringify(own.body)).toBe(200)
    const other = await pageWith(scopedKeys.zoomIntegration, accountOf("okta"))
    expect(other.status).toBe(403)
    expect((other.body.error as { code?: string }).code).toBe("forbidden")
    // An unknown key is still a 401, whatever the account.
    expect((await pageWith("not-a-configured-key-0123456789", accountOf("zoom"))).status).toBe(401)
  })

  it("answers SIGTERM with exit 0", async () => {
    serve.child.kill("SIGTERM")
    const ended = await serve.ended(20_000)
    expect(ended.code, ended.stderr).toBe(0)
    // No key is ever logged.
    for (const key of [testApiKey, ...Object.values(scopedKeys)])
      expect(ended.stdout + ended.stderr).not.toContain(key)
  })
})
