import { readFileSync } from "node:fs"
import { Context, Data, Effect, Layer } from "effect"
import { Kafka, type KafkaConfig as KafkaJsConfig, logLevel, type SASLOptions } from "kafkajs"
import type { ConnectorConfig } from "../config/ConnectorConfig.ts"

/** The kafkajs client, configured for the cluster: brokers, client id, TLS (CA file), SASL. */
export class KafkaClient extends Context.Tag("KafkaClient")<KafkaClient, Kafka>() {
  static readonly layer = (config: ConnectorConfig["kafka"], brokers: ReadonlyArray<string>) =>
    Layer.sync(KafkaClient, () => new Kafka(kafkaJsConfig(config, brokers)))
}

export const kafkaJsConfig = (
  config: ConnectorConfig["kafka"],
  brokers: ReadonlyArray<string>,
): KafkaJsConfig => {
  const tls = config.tls?.enabled
    ? {
        rejectUnauthorized: config.tls.reject_unauthorized,
        ...(config.tls.ca_file ? { ca: [readFileSync(config.tls.ca_file, "utf8")] } : {}),
        ...(config.tls.cert_file ? { cert: readFileSync(config.tls.cert_file, "utf8") } : {}),
        ...(config.tls.key_file ? { key: readFileSync(config.tls.key_file, "utf8") } : {}),
      }
    : undefined
  const sasl: SASLOptions | undefined = config.sasl
    ? ({
        mechanism: config.sasl.mechanism,
        username: config.sasl.username,
        password: config.sasl.password,
      } as SASLOptions)
    : undefined
  return {
    clientId: config.client_id,
    brokers: [...brokers],
    ...(tls ? { ssl: tls } : {}),
    ...(sasl ? { sasl } : {}),
    connectionTimeout: 5_000,
    requestTimeout: 30_000,
    // Short: a broker that stays away surfaces as a failure, retried by the stream with backoff and shown in /healthz.
    retry: { retries: 4, initialRetryTime: 300, maxRetryTime: 3_000 },
    // kafkajs' own logger is noisy and unstructured; failures surface as errors in our fibers instead.
    logLevel: logLevel.NOTHING,
  }
}

/** Runs a kafkajs promise as an Effect, keeping the error as the failure. */
export const kafkaCall = <A>(what: string, run: () => Promise<A>) =>
  Effect.tryPromise({ try: run, catch: (cause) => new KafkaFailure({ operation: what, cause }) })

export class KafkaFailure extends Data.TaggedError("KafkaFailure")<{
  readonly operation: string
  readonly cause: unknown
}> {
  override get message() {
    const cause = this.cause as { message?: string; type?: string } | undefined
    return `kafka ${this.operation} failed: ${cause?.type ? `${cause.type} ` : ""}${cause?.message ?? String(this.cause)}`
  }
  /** The broker fenced this producer: another instance owns the transactional id. Not retried in place. */
  get fenced(): boolean {
    const cause = this.cause as { type?: string } | undefined
    return cause?.type === "INVALID_PRODUCER_EPOCH" || cause?.type === "PRODUCER_FENCED"
  }
}
