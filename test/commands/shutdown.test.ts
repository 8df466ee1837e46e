import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { simulatedAccount } from "../../src/dev/EmbeddedDefaults.ts"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { listeners, startCommand } from "../support/connectorCommand.ts"
import { linkRewritingProxy, linksThroughProxy } from "../support/linkRewritingProxy.ts"
import { listPage, writeConfig } from "../support/simulatedAccounts.ts"

const dir = mkdtempSync(join(tmpdir(), "connector-shutdown-test-"))
const scope = Effect.runSync(Scope.make())
afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  rmSync(dir, { recursive: true, force: true })
})

describe("the shutdown deadline, as users meet it", () => {
  it("a request still waiting on its provider when server.timeouts.shutdown runs out is cut, and serve exits 0 then", async () => {
    const slow = await Effect.runPromise(
      Scope.extend(
        Effect.gen(function* () {
          const okta = yield* startOktaSimulator({ seed: 5, historySize: 5 })
          const proxy = yield* linkRewritingProxy(okta.baseUrl, linksThroughProxy(okta.baseUrl), {
            delayMs: 20_000,
          })
          return { okta, origin: proxy.origin }
        }),
        scope,
      ),
    )
    const account = randomUUID()
    const file = writeConfig(
      dir,
      "deadline",
      [{ ...simulatedAccount(slow.okta, account), base_url: slow.origin }],
      { server: { timeouts: { shutdown: "1s" } } },
    )
    const serve = startCommand(["serve", "--config", file])
    try {
      const { api } = await listeners(serve)
      const waiting = listPage(api, { integrated_account_id: account }).then(
        (page) => page.status,
        () => "cut" as const,
      )
      await new Promise((r) => setTimeout(r, 500))
      const signalledAt = performance.now()
      serve.child.kill("SIGTERM")
      const ended = await serve.ended(15_000)
      const exitMs = performance.now() - signalledAt
      expect(ended.code, ended.stderr).toBe(0)
      // The 1 s deadline ended the wait, not the provider's 20 s.
      expect(exitMs).toBeGreaterThanOrEqual(900)
      expect(exitMs).toBeLessThan(5_000)
      expect(await waiting).toBe("cut")
    } finally {
      serve.stop()
    }
  }, 40_000)
})
