import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { parseConfig } from "../../src/config/loadConfig.ts"
import { embeddedConfigYaml } from "../../src/dev/EmbeddedDefaults.ts"
import { auditLogs } from "../../src/providers/hubspot/streams/auditLogs.ts"
import { startHubSpotSimulator } from "../../src/simulators/hubspot/HubSpotSimulator.ts"

describe("the embedded run's HubSpot account", () => {
  it.scoped("has the audit log on, so a new user sees all three streams", () =>
    Effect.gen(function* () {
      const sim = yield* startHubSpotSimulator({ historySize: 10 })
      const loaded = Either.getOrThrow(
        parseConfig("embedded.yaml", embeddedConfigYaml([sim], ["127.0.0.1:9092"]), {}),
      )
      const account = loaded.accounts[0]?.account
      expect(account?.settings.audit_logs).toBe("true")
      expect(account && auditLogs.enabledFor?.(account.settings)).toBe(true)
    }),
  )
})
