import { randomUUID } from "node:crypto"
import { writeFileSync } from "node:fs"
import { Effect, Either } from "effect"
import { describe, expect, it } from "vitest"
import type { ConnectorConfig } from "../../src/config/ConnectorConfig.ts"
import { parseConfig } from "../../src/config/loadConfig.ts"
import { routeRecords } from "../../src/pipeline/routePage.ts"
import { type Integration, providers } from "../../src/providers/registry.ts"
import { simulators } from "../../src/simulators/registry.ts"
import { conformanceProblems, ocsf } from "../support/ocsfConformance.ts"
import { ProviderClientsTest } from "../support/providerClients.ts"
import { accountOn, readAccountToEnd } from "../support/readAccountToEnd.ts"
import { startSimulatorFor } from "../support/simulatedAccounts.ts"

// Every OCSF event the simulators of the 13 integrations make the connector publish, checked against the OCSF
// 1.8.0 definitions of the classes it uses (test/support/ocsfConformance.ts, over the transcription in
// test/fixtures/ocsf-1.8.0/).
// Events are made as the pipeline makes them, without a broker: pages read through the production adapters
// (pageAccount), routed by routeRecords with kafka.ocsf.enabled, the OCSF topic's messages taken.

const minimalConfig = [
  "server:",
  "  api_keys: [test-api-key-0123456789]",
  `  cursor_secret: ${"s".repeat(40)}`,
  "kafka: { ocsf: { enabled: true } }",
  "accounts: []",
].join("\n")
const kafka: ConnectorConfig["kafka"] = Either.getOrThrow(parseConfig("ocsf.test", minimalConfig, {})).config
  .kafka

const clients = ProviderClientsTest
const startSimulator = (integration: Integration) =>
  startSimulatorFor(integration, { seed: 7, historySize: 60 })

const simulated = Object.keys(simulators) as Integration[]
/** type_uid → how many events, over every integration. */
const seen = new Map<number, number>()
const samples: Record<string, unknown>[] = []

describe(`every OCSF event conforms to OCSF ${ocsf.version}`, () => {
  it("the default config writes no OCSF topic; the fixture has the three classes used", () => {
    const defaults = Either.getOrThrow(
      parseConfig("ocsf.test", minimalConfig.replace("kafka: { ocsf: { enabled: true } }\n", ""), {}),
    ).config.kafka
    expect(defaults.ocsf.enabled).toBe(false)
    expect(defaults.topics.ocsf).toBe("user-directory.activities.ocsf")
    expect(Object.values(ocsf.classes).map((c) => c.class_uid)).toEqual([3002, 3001, 3004])
  })

  it.each(simulated)(
    "%s: one OCSF event per activity, each conforming",
    (integration) =>
      Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const adapter = providers[integration]
            const sim = yield* startSimulator(integration)
            const account = { ...accountOn(adapter, sim), id: randomUUID() }
            const { pages, activities } = yield* readAccountToEnd(adapter, account, {}, 50).pipe(
              Effect.provide(clients),
            )
            expect(activities.length).toBeGreaterThan(0)
            const messages = pages.flatMap((page) => routeRecords(account, page.records, kafka).messages)
            const events = messages
              .filter((m) => m.topic === kafka.topics.ocsf)
              .map((m) => JSON.parse(String(m.message.value)) as Record<string, unknown>)
            // One per activity, the same id, the same key as the activity's record.
            expect(events.map((e) => (e.metadata as { uid: string }).uid)).toEqual(
              activities.map((a) => a.id),
            )
            const problems = events.flatMap((event) =>
              conformanceProblems(event).map(
                (problem) =>
                  `${problem} in ${JSON.stringify({ ...event, raw_data: undefined }).slice(0, 400)}`,
              ),
            )
            expect(problems).toEqual([])
            for (const event of events) {
              const typeUid = event.type_uid as number
              seen.set(typeUid, (seen.get(typeUid) ?? 0) + 1)
              if (process.env.OCSF_SAMPLES) samples.push(event)
            }
          }),
        ),
      ),
    120_000,
  )

  it("covered sign-ins (success and failure), account changes and entity management", () => {
    const types = [...seen.keys()]
    expect(types).toEqual(expect.arrayContaining([300201, 300202, 300101]))
    expect(types.some((t) => Math.floor(t / 100) === 3004)).toBe(true)
    if (process.env.OCSF_SAMPLES) writeFileSync(process.env.OCSF_SAMPLES, JSON.stringify(samples))
  })
})
