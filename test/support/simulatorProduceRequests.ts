import { Effect, Either, Schema } from "effect"
import type { ConnectorConfig } from "../../src/config/ConnectorConfig.ts"
import { parseConfig } from "../../src/config/loadConfig.ts"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import type { OutgoingMessage } from "../../src/pipeline/ActivityMessages.ts"
import { produceBatches } from "../../src/pipeline/produceBatches.ts"
import { routeRecords } from "../../src/pipeline/routePage.ts"
import { pageAccount } from "../../src/providers/pageAccount.ts"
import { type Integration, providers } from "../../src/providers/registry.ts"
import { startBrowserStackSimulator } from "../../src/simulators/browserstack/BrowserStackSimulator.ts"
import { simulators } from "../../src/simulators/registry.ts"
import { startZoomSimulator } from "../../src/simulators/zoom/ZoomSimulator.ts"
import { ProviderClientsTest } from "./providerClients.ts"

/** The connector's kafka settings, defaults but for OCSF. */
export const kafkaSettings = (ocsf: boolean): ConnectorConfig["kafka"] =>
  Either.getOrThrow(
    parseConfig(
      "produce-requests",
      `server: { api_keys: [produce-api-key-0123456789], cursor_secret: ${"x".repeat(32)} }\n` +
        `kafka: { ocsf: { enabled: ${ocsf} } }\naccounts: []\n`,
      {},
    ),
  ).config.kafka

/**
 * Every message the pipeline routes from one simulator's history (seed and size given), read page by page
 * through its adapter as the page loop reads it, grouped into the produce calls the publisher makes. The
 * account's id, the simulator's port and the observed time are fixed, so two processes make the same messages.
 */
export const routedBatches = (
  integration: Integration,
  options: { readonly seed: number; readonly records: number; readonly port: number; readonly ocsf: boolean },
) =>
  Effect.scoped(
    Effect.gen(function* () {
      const adapter = providers[integration]
      const start = simulators[integration]
      if (start === undefined) return yield* Effect.dieMessage(`no simulator for ${integration}`)
      const simulatorOptions = { seed: options.seed, historySize: options.records, port: options.port }
      // Request limits lifted (Zoom's per second, BrowserStack's 15 a minute): the messages are what is wanted.
      const sim = yield* integration === "zoom"
        ? startZoomSimulator({ ...simulatorOptions, requestsPerSecond: 100_000 })
        : integration === "browserstack"
          ? startBrowserStackSimulator({
              ...simulatorOptions,
              burst: 1_000_000,
              requestsPerMinute: 1_000_000,
            })
          : start(simulatorOptions)
      const account: IntegratedAccount = {
        id: `00000000-0000-4000-8000-${String(options.port).padStart(12, "0")}`,
        integration,
        baseUrl: new URL(sim.baseUrl),
        credentials: Schema.decodeUnknownSync(adapter.credentials)(sim.credentials),
        settings: sim.settings,
      }
      const kafka = kafkaSettings(options.ocsf)
      const messages: OutgoingMessage[] = []
      let positions = {}
      for (let i = 0; i < 1_000; i++) {
        const page = yield* pageAccount(adapter, { account, filters: {}, positions, limit: 100 }).pipe(
          Effect.provide(ProviderClientsTest),
        )
        const records = page.records.map((r) => ({ ...r, observedAt: "2026-12-07T12:00:00.000Z" }))
        messages.push(...routeRecords(account, records, kafka).messages)
        positions = page.positions
        if (!page.hasMore) break
      }
      // As the publisher splits them (its batch overhead aside).
      return produceBatches(messages, kafka.max_message_bytes - 16_384)
    }),
  )

export const simulatedIntegrations = () => (Object.keys(simulators) as Integration[]).sort()
