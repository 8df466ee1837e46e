import { randomUUID } from "node:crypto"
import { Effect, Schema } from "effect"
import { describe, expect, it } from "vitest"
import { providerClientsLayer } from "../../src/auth/providerClients.ts"
import type { ConnectorConfig } from "../../src/config/ConnectorConfig.ts"
import { ActivityRecord, LoginFailedRecord } from "../../src/domain/ActivityRecord.ts"
import { DeadLetterRecord } from "../../src/domain/DeadLetterRecord.ts"
import { OcsfEvent } from "../../src/domain/OcsfEvent.ts"
import { publishedSchemas } from "../../src/domain/PublishedSchemas.ts"
import type { OutgoingMessage } from "../../src/pipeline/ActivityMessages.ts"
import { routePage, routeRecords } from "../../src/pipeline/routePage.ts"
import { type Integration, IntegrationNames, providers } from "../../src/providers/registry.ts"
import { simulators } from "../../src/simulators/registry.ts"
import { defaultKafkaSettings } from "../support/pipelineConfig.ts"
import { describeErrors, recordValidators } from "../support/publishedSchemas.ts"
import { accountOn, readAccountToEnd } from "../support/readAccountToEnd.ts"
import { startSimulatorFor } from "../support/simulatedAccounts.ts"

// Every record the simulators of the integrations make the connector publish, on every topic, against the
// JSON Schema published for that topic (the committed file, through Ajv) and the record schema it is generated
// from. Records are made as the pipeline makes them, without a broker: pages read through the production
// adapters over HTTP (pageAccount), routed by the production routing (routeRecords) into Kafka messages.

type KafkaSettings = ConnectorConfig["kafka"]
type Topic = keyof typeof publishedSchemas

const defaults: KafkaSettings = defaultKafkaSettings
/**
 * The Kafka settings records are routed under: as configured by default, and remote_data capped to the marker;
 * each with the OCSF topic on too.
 */
const settingsVariants: ReadonlyArray<KafkaSettings> = [
  defaults,
  { ...defaults, remote_data: { include: true, max_bytes: 64 } },
  { ...defaults, remote_data: { include: false } },
].flatMap((kafka) => [kafka, { ...kafka, ocsf: { enabled: true } }])

const clients = providerClientsLayer(providers, { retryBase: "10 millis" })
const validators = recordValidators()
const recordSchemaOf = {
  activities: Schema.is(ActivityRecord),
  login_failed: Schema.is(LoginFailedRecord),
  dead_letter: Schema.is(DeadLetterRecord),
  ocsf: Schema.is(OcsfEvent),
}
const topicOf = (topic: string): Topic => {
  const found = (Object.keys(publishedSchemas) as Topic[]).find((key) => defaults.topics[key] === topic)
  if (found === undefined) throw new Error(`no published schema for topic ${topic}`)
  return found
}

/** Problems of one message, if any: its value against its topic's schemas, its headers against its value. */
const problemsOf = ({ topic, message }: OutgoingMessage): string[] => {
  const kind = topicOf(topic)
  const value = JSON.parse(String(message.value))
  const headers = message.headers as Record<string, string>
  const problems: string[] = []
  const validate = validators[kind]
  if (!validate(value)) problems.push(`${kind}: ${describeErrors(validate.errors)}`)
  if (!recordSchemaOf[kind](value)) problems.push(`${kind}: not the record schema's`)
  if (headers.ce_dataschema !== publishedSchemas[kind].id)
    problems.push(`${kind}: ce_dataschema ${headers.ce_dataschema}`)
  const dedupeKey = kind === "ocsf" ? value.unmapped?.dedupe_key : value.dedupe_key
  if (kind !== "dead_letter" && headers.dedupe_key !== dedupeKey) problems.push(`${kind}: dedupe_key header`)
  return problems
}

const startSimulator = (integration: Integration) =>
  startSimulatorFor(integration, { seed: 5, historySize: 60 })

const simulated = Object.keys(simulators) as Integration[]
const seen = { activities: 0, login_failed: 0, dead_letter: 0, ocsf: 0 }
const dedupeKeys = new Map<string, string>()

describe("every published record validates against its topic's published JSON Schema", () => {
  it("every registered integration is simulated", () =>
    expect([...simulated].sort()).toEqual([...IntegrationNames].sort()))

  it.each(simulated)(
    "%s: activities, login_failed and dead letters, read and routed as the pipeline does",
    (integration) =>
      Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const adapter = providers[integration]
            const sim = yield* startSimulator(integration)
            const account = { ...accountOn(adapter, sim), id: randomUUID() }
            const read = () => readAccountToEnd(adapter, account, {}, 50).pipe(Effect.provide(clients))
            const { pages, activities } = yield* read()
            expect(activities.length).toBeGreaterThan(0)

            const messages = settingsVariants.flatMap((kafka) => [
              ...pages.flatMap((page) => routeRecords(account, page.records, kafka).messages),
              // Records that do not decode, one of them too big to carry whole: dead letters.
              ...routePage(account, [null, {}, { junk: "x".repeat(20_000) }], {
                ...kafka,
                max_message_bytes: 16_384,
              }).messages,
            ])
            const problems = messages.flatMap((message) =>
              problemsOf(message).map(
                (problem) => `${problem} in ${String(message.message.value).slice(0, 300)}`,
              ),
            )
            expect(problems).toEqual([])
            for (const { topic } of messages) seen[topicOf(topic)]++

            // The dedupe key: one per activity, whatever the settings; no other account's activity has it.
            const keysOf = (routed: ReadonlyArray<OutgoingMessage>) =>
              routed
                .filter((m) => m.topic === defaults.topics.activities)
                .map(
                  (m) =>
                    [
                      JSON.parse(String(m.message.value)).dedupe_key as string,
                      String(m.message.value),
                    ] as const,
                )
            const firstRead = keysOf(
              pages.flatMap((page) => routeRecords(account, page.records, defaults).messages),
            )
            expect(new Set(firstRead.map(([key]) => key)).size).toBe(activities.length)
            for (const [key] of firstRead) {
              expect(dedupeKeys.get(key), `${integration} reuses ${key}`).toBeUndefined()
              dedupeKeys.set(key, integration)
            }
            // Stable across a re-read of the same history (a resync or a backfill): the same keys, in order.
            const again = yield* read()
            const secondRead = keysOf(
              again.pages.flatMap((page) => routeRecords(account, page.records, defaults).messages),
            )
            expect(secondRead.map(([key]) => key).slice(0, firstRead.length)).toEqual(
              firstRead.map(([key]) => key),
            )
          }),
        ),
      ),
    120_000,
  )

  it("covered every topic", () => {
    expect(seen.activities).toBeGreaterThan(0)
    expect(seen.login_failed).toBeGreaterThan(0)
    expect(seen.dead_letter).toBeGreaterThan(0)
    expect(seen.ocsf).toBeGreaterThan(0)
  })
})
