import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
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

  it("reads file: secrets (a mounted Docker/Kubernetes secret); a missing one fails naming the key and the file", async () => {
    const okta = await Effect.runPromise(
      Scope.extend(startOktaSimulator({ seed: 43, historySize: 3 }), scope),
    )
    const id = randomUUID()
    const tokenFile = join(dir, "okta_api_token")
    writeFileSync(tokenFile, `${okta.credentials.api_token}\n`)
    const secretAccount = (path: string) => ({
      ...simulatedAccount(okta, id),
      credentials: { api_token: `\${file:${path}}` },
    })
    const good = await startCommand([
      "check-config",
      "--config",
      writeConfig(dir, "secret-file", [secretAccount(tokenFile)]),
    ]).ended(60_000)
    expect(good.stdout.split("\n").find((line) => line.includes(id)) ?? "", good.stderr).toMatch(
      /^ok\s.*okta/,
    )
    expect(good.code).toBe(0)

    const missing = join(dir, "no_such_secret")
    const bad = await startCommand([
      "check-config",
      "--config",
      writeConfig(dir, "missing-secret-file", [secretAccount(missing)]),
    ]).ended(30_000)
    expect(bad.code).toBe(1)
    expect(bad.stderr).toContain(
      `accounts[0].credentials.api_token: cannot read file ${missing} (no such file)`,
    )
    expect(good.stdout + good.stderr + bad.stdout + bad.stderr).not.toContain(okta.credentials.api_token)
  }, 90_000)
})
