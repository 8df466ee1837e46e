import { randomBytes, randomUUID } from "node:crypto"
import { Either } from "effect"
import { stringify } from "yaml"
import type { ConnectorConfig } from "../../src/config/ConnectorConfig.ts"
import { parseConfig } from "../../src/config/loadConfig.ts"
import type { ProviderSimulator } from "../../src/simulators/ProviderSimulator.ts"
import type { uniqueTopics } from "./topics.ts"

/** The simulator's account settings beyond `organization_id`, which the config takes as a key of its own. */
const accountSettings = (simulator: ProviderSimulator) => {
  const { organization_id: organization, ...settings } = simulator.settings
  return {
    ...(organization === undefined ? {} : { organization_id: organization }),
    ...(Object.keys(settings).length === 0 ? {} : { settings }),
  }
}

/** A connector config (YAML) with one account per simulator, on the test broker and fresh topics. */
export const pipelineConfigYaml = (options: {
  readonly brokers: string
  readonly topics: ReturnType<typeof uniqueTopics>
  readonly simulators: ReadonlyArray<ProviderSimulator>
  readonly accountIds?: ReadonlyArray<string>
  readonly pollInterval?: string
  readonly pageSize?: number
  readonly port?: number
  readonly transactionalIdPrefix?: string
  readonly kafka?: Record<string, unknown>
}) =>
  stringify({
    server: {
      host: "127.0.0.1",
      port: options.port ?? 0,
      management: { port: 0 },
      api_keys: [randomBytes(24).toString("base64url")],
      cursor_secret: randomBytes(32).toString("base64url"),
    },
    kafka: {
      brokers: options.brokers.split(","),
      topics: options.topics,
      partitions: 1,
      transactional_id_prefix: options.transactionalIdPrefix ?? `test-${randomUUID().slice(0, 8)}`,
      ...options.kafka,
    },
    poll: { interval: options.pollInterval ?? "200ms", page_size: options.pageSize ?? 40, jitter: 0 },
    log_level: process.env.TEST_LOG_LEVEL ?? "error",
    accounts: options.simulators.map((simulator, i) => ({
      id: options.accountIds?.[i] ?? randomUUID(),
      integration: simulator.integration,
      base_url: simulator.baseUrl,
      credentials: simulator.credentials,
      ...accountSettings(simulator),
      start_from: "earliest",
    })),
  })

/** The Kafka section exactly as the connector decodes it from a minimal config: every default applied. */
export const defaultKafkaSettings: ConnectorConfig["kafka"] = Either.getOrThrow(
  parseConfig(
    "defaults",
    [
      "server:",
      "  api_keys: [test-api-key-0123456789]",
      `  cursor_secret: ${"s".repeat(40)}`,
      "accounts: []",
    ].join("\n"),
    {},
  ),
).config.kafka
