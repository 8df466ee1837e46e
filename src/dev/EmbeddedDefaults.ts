import { createHash, randomBytes } from "node:crypto"
import { Effect, Random } from "effect"
import { stringify } from "yaml"
import { recordsOverTime } from "../simulators/kit/recordsOverTime.ts"
import type { ProviderSimulator } from "../simulators/ProviderSimulator.ts"
import { simulators as simulatorRegistry } from "../simulators/registry.ts"

/** A fixed integrated account id per integration, so the embedded run's checkpoints line up across restarts. */
const embeddedAccountId = (integration: string) => {
  const hex = createHash("sha256").update(`embedded:${integration}`).digest("hex")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20, 32)}`
}

/**
 * The embedded default: every integration in the simulators registry gets its simulator, running on loopback
 * with realistic history, and (in `embeddedConfigYaml`) an account pointing at it.
 */
export const startEmbeddedSimulators = Effect.forEach(Object.values(simulatorRegistry), (start) =>
  start({ historySize: 300 }),
)

/**
 * The embedded run's API key. Not a secret: the embedded run serves simulated data only, on loopback only,
 * and the README gives the key so a newcomer can call the endpoint.
 */
export const embeddedApiKey = "embedded-local-development-key"

/** A config entry for an account on a simulator: its base URL, credentials and settings. */
export const simulatedAccount = (simulator: ProviderSimulator, id: string) => {
  const { organization_id: organization, ...settings } = simulator.settings
  return {
    id,
    integration: simulator.integration,
    base_url: simulator.baseUrl,
    credentials: simulator.credentials,
    ...(organization ? { organization_id: organization } : {}),
    ...(Object.keys(settings).length > 0 ? { settings } : {}),
  }
}

/** The embedded run's config, as YAML so it goes through the same validation as a user's file. */
export const embeddedConfigYaml = (
  simulators: ReadonlyArray<ProviderSimulator>,
  brokers: ReadonlyArray<string>,
) =>
  stringify({
    server: {
      port: Number(process.env.PORT ?? 8080),
      host: "127.0.0.1",
      management: { port: Number(process.env.MANAGEMENT_PORT ?? 8081) },
      api_keys: [embeddedApiKey],
      cursor_secret: randomBytes(32).toString("base64url"),
    },
    kafka: { brokers, partitions: 1 },
    poll: { interval: "2s", page_size: 100 },
    accounts: simulators.map((simulator) => ({
      ...simulatedAccount(simulator, embeddedAccountId(simulator.integration)),
      start_from: "earliest",
    })),
  })

/**
 * Keeps the simulators producing: a few events every couple of seconds on each, and now and then a burst
 * (the simulators' mix includes failed logins, so bursts show up on the login_failed topic).
 */
export const simulateOngoingActivity = (simulators: ReadonlyArray<ProviderSimulator>) =>
  Effect.forEach(
    simulators,
    (simulator) =>
      recordsOverTime({
        every: "2 seconds",
        perTick: Effect.flatMap(Random.nextIntBetween(0, 10), (roll) =>
          roll === 0 ? Random.nextIntBetween(10, 30) : Random.nextIntBetween(1, 4),
        ),
        append: simulator.emit,
      }),
    { discard: true },
  )
