import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { simulatedAccount } from "../../src/dev/EmbeddedDefaults.ts"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { startSalesforceSimulator } from "../../src/simulators/salesforce/SalesforceSimulator.ts"
import { startZoomSimulator } from "../../src/simulators/zoom/ZoomSimulator.ts"
import { startCommand } from "../support/connectorCommand.ts"
import { writeConfig } from "../support/simulatedAccounts.ts"

const dir = mkdtempSync(join(tmpdir(), "connector-check-config-test-"))
const scope = Effect.runSync(Scope.make())
afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  rmSync(dir, { recursive: true, force: true })
})

describe("check-config, as users run it", () => {
  it("OAuth grants fetch their token and pass, a refused client secret fails, a disabled account is skipped; exit 1", async () => {
    const { okta, salesforce, zoom } = await Effect.runPromise(
      Scope.extend(
        Effect.all({
          okta: startOktaSimulator({ seed: 41, historySize: 3 }),
          salesforce: startSalesforceSimulator({ seed: 41, historySize: 3 }),
          zoom: startZoomSimulator({ seed: 41, historySize: 3 }),
        }),
        scope,
      ),
    )
    const ids = {
      salesforce: randomUUID(),
      zoom: randomUUID(),
      refused: randomUUID(),
      disabled: randomUUID(),
    }
    const refusedSecret = "refused-client-secret-0123456789"
    const file = writeConfig(dir, "grants", [
      simulatedAccount(salesforce, ids.salesforce),
      simulatedAccount(zoom, ids.zoom),
      {
        ...simulatedAccount(zoom, ids.refused),
        credentials: { ...zoom.credentials, client_secret: refusedSecret },
      },
      { ...simulatedAccount(okta, ids.disabled), enabled: false },
    ])
    const ended = await startCommand(["check-config", "--config", file]).ended(60_000)
    const lineOf = (id: string) => ended.stdout.split("\n").find((line) => line.includes(id)) ?? ""
    expect(lineOf(ids.salesforce)).toMatch(/^ok\s.*salesforce/)
    expect(lineOf(ids.zoom)).toMatch(/^ok\s.*zoom/)
    expect(lineOf(ids.refused)).toMatch(/^FAIL\s.*zoom\s+remote_unauthorized/)
    expect(lineOf(ids.disabled)).toMatch(/^skip\s.*okta\s+disabled/)
    expect(ended.code).toBe(1)
    // The token requests happened: the simulators issued tokens to the two good grants.
    for (const secret of [
      refusedSecret,
      ...Object.values(zoom.credentials),
      ...Object.values(salesforce.credentials),
    ])
      expect(ended.stdout + ended.stderr).not.toContain(secret)
  }, 90_000)
})
