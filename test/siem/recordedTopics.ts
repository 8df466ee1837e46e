import { Effect, Either, TestClock } from "effect"
import { parseConfig } from "../../src/config/loadConfig.ts"
import type { OutgoingMessage } from "../../src/pipeline/ActivityMessages.ts"
import { routeRecords } from "../../src/pipeline/routePage.ts"
import type { ProviderAdapter } from "../../src/providers/ProviderAdapter.ts"
import type { ProviderSimulator } from "../../src/simulators/ProviderSimulator.ts"
import { ProviderClientsTest } from "../support/providerClients.ts"
import { accountOn, readAccountToEnd } from "../support/readAccountToEnd.ts"

// What the connector would publish for a simulated account, without Kafka: the simulator's raw events read
// through the production adapter (real HTTP on loopback, the shared page loop), mapped, and routed to topics
// by the pipeline's own routeRecords. The simulators live by the Effect Clock, so a fixed TestClock instant
// and seed make every recording the same.

export const RECORDED_AT = Date.parse("2026-11-30T12:00:00.000Z")

export const kafka = Either.getOrThrow(
  parseConfig(
    "siem.test",
    `server:\n  api_keys: [test-api-key-0123456789]\n  cursor_secret: ${"s".repeat(40)}\naccounts: []\n`,
    {},
  ),
).config.kafka

/** The published records of one account, by Sigma logsource service (= topic) and raw. */
export interface RecordedTopics {
  readonly activities: ReadonlyArray<Record<string, unknown>>
  readonly login_failed: ReadonlyArray<Record<string, unknown>>
  readonly dead_letter: ReadonlyArray<Record<string, unknown>>
  readonly messages: ReadonlyArray<OutgoingMessage>
}

const valuesOn = (messages: ReadonlyArray<OutgoingMessage>, topic: string) =>
  messages
    .filter((m) => m.topic === topic)
    .map((m) => JSON.parse(String(m.message.value)) as Record<string, unknown>)

/** Starts the simulator, lets `stage` add crafted events, and records what the connector publishes for it. */
export const record = <Sim extends ProviderSimulator>(
  adapter: ProviderAdapter,
  start: Effect.Effect<Sim, never, import("effect").Scope.Scope>,
  stage: (sim: Sim) => void = () => {},
) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(RECORDED_AT)
    const sim = yield* start
    stage(sim)
    const account = accountOn(adapter, sim)
    const { pages } = yield* readAccountToEnd(adapter, account, {}, 200)
    const routed = routeRecords(
      account,
      pages.flatMap((p) => p.records),
      kafka,
    )
    return {
      activities: valuesOn(routed.messages, kafka.topics.activities),
      login_failed: valuesOn(routed.messages, kafka.topics.login_failed),
      dead_letter: valuesOn(routed.messages, kafka.topics.dead_letter),
      messages: routed.messages,
    } satisfies RecordedTopics
  }).pipe(Effect.provide(ProviderClientsTest))
