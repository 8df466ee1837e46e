import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, it } from "vitest"
import { IntegrationNames } from "../../src/providers/registry.ts"
import { listeners, type RunningCommand, startCommand } from "../support/connectorCommand.ts"
import {
  pageToEnd,
  type SimulatedAccount,
  startSimulatedAccounts,
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

beforeAll(async () => {
  accounts = await Effect.runPromise(
    Scope.extend(startSimulatedAccounts({ historySize: 45, seed: 17 }), scope),
  )
  const file = writeConfig(
    dir,
    "serve",
    accounts.map((a) => a.entry),
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
  it("has one account for each of the 13 integrations", () => {
    expect(new Set(accounts.map((a) => a.integration)).size).toBe(13)
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

  it("answers SIGTERM with exit 0", async () => {
    serve.child.kill("SIGTERM")
    const ended = await serve.ended(20_000)
    expect(ended.code, ended.stderr).toBe(0)
  })
})
