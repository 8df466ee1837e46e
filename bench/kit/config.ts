import { randomBytes, randomUUID } from "node:crypto"
import { Either } from "effect"
import { stringify } from "yaml"
import { parseConfig } from "../../src/config/loadConfig.ts"

export const benchApiKey = randomBytes(24).toString("base64url")

/** A connector config as YAML: loopback API on a free port, no accounts unless `extra` brings them; `server` keys merge. */
export const configText = ({ server, ...extra }: Record<string, unknown> = {}) =>
  stringify(
    {
      server: {
        host: "127.0.0.1",
        port: 0,
        management: { port: 0 },
        api_keys: [benchApiKey],
        cursor_secret: randomBytes(32).toString("base64url"),
        ...(server as object | undefined),
      },
      accounts: [],
      ...extra,
    },
    // One simulator's credentials for many accounts, written out each time: the loader refuses > 100 aliases.
    { aliasDuplicateObjects: false },
  )

/** The four topics of one run, under a prefix of its own. */
export const topicsOf = (prefix: string) => ({
  activities: `${prefix}.activities`,
  login_failed: `${prefix}.activities.login_failed`,
  dead_letter: `${prefix}.activities.dead-letter`,
  checkpoints: `${prefix}.activities.checkpoints`,
})

/** The config's `kafka` section for one run on `brokers`. */
export const benchKafka = (brokers: string, prefix: string, partitions: number) => ({
  brokers: brokers.split(","),
  topics: topicsOf(prefix),
  partitions,
  transactional_id_prefix: prefix,
})

/** `count` Okta accounts on one simulator, each reading its whole history. */
export const oktaAccounts = (
  simulator: { readonly baseUrl: string; readonly credentials: unknown },
  count: number,
) =>
  Array.from({ length: count }, () => ({
    id: randomUUID(),
    integration: "okta",
    base_url: simulator.baseUrl,
    credentials: simulator.credentials,
    start_from: "earliest",
  }))

/** The default Kafka settings, as the loader makes them. */
export const defaultKafka = () => Either.getOrThrow(parseConfig("bench", configText(), {})).config.kafka
