import { readFileSync } from "node:fs"
import { Context, Data, Effect, Layer } from "effect"
import { Kafka, type KafkaConfig as KafkaJsConfig, logLevel, type SASLOptions } from "kafkajs"
import { type ConnectorConfig, durationMs } from "../config/ConnectorConfig.ts"
import { stopKafkajsIdleLoop } from "./kafkajsIdleLoop.ts"

/** The kafkajs client, configured for the cluster: brokers, client id, TLS (CA file), SASL. */
export class KafkaClient extends Context.Tag("KafkaClient")<KafkaClient, Kafka>() {
  static readonly layer = (config: ConnectorConfig["kafka"], brokers: ReadonlyArray<string>) =>
    Layer.sync(KafkaClient, () => {
      stopKafkajsIdleLoop()
      return new Kafka(kafkaJsConfig(config, brokers))
    })
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
    requestTimeout: durationMs(config.request_timeout),
    // Short: a broker that stays away surfaces as a failure, retried by the stream with backoff and shown in /healthz.
    retry: { retries: 4, initialRetryTime: 300, maxRetryTime: 3_000 },
    // kafkajs' own logger is noisy and unstructured; failures surface as errors in our fibers instead.
    logLevel: logLevel.NOTHING,
  }
}

/**
 * The high watermark of each partition of `topic`: the end of its log, uncommitted transactions included.
 *
 * kafkajs' admin asks ListOffsets with READ_COMMITTED only (it answers the last stable offset), and no public
 * kafkajs API asks READ_UNCOMMITTED. Its cluster factory does take an isolation level, so this reaches it
 * through the client's own (symbol-keyed) factory: kafkajs is pinned at 2.2.4, its final release, so this
 * internal cannot move under us. No maintained client of this ecosystem exposes it either (see
 * shared notes on kafkajs alternatives).
 */
export const highWatermarks = (kafka: Kafka, topic: string) =>
  Effect.acquireUseRelease(
    kafkaCall("connect for high watermarks", async () => {
      const factory = Object.getOwnPropertySymbols(kafka).find(
        (symbol) => symbol.description === "private:Kafka:createCluster",
      )
      const create = factory && (kafka as unknown as Record<symbol, unknown>)[factory]
      if (typeof create !== "function") throw new Error("this kafkajs version has no cluster factory")
      const cluster = (create as (options: object) => KafkajsCluster)({
        allowAutoTopicCreation: false,
        isolationLevel: READ_UNCOMMITTED,
      })
      await cluster.connect()
      return cluster
    }),
    (cluster) =>
      kafkaCall("fetch high watermarks", async () => {
        await cluster.addTargetTopic(topic)
        await cluster.refreshMetadataIfNecessary()
        const partitions = cluster
          .findTopicPartitionMetadata(topic)
          .map((p) => ({ partition: p.partitionId }))
        const [offsets] = await cluster.fetchTopicsOffset([{ topic, fromBeginning: false, partitions }])
        return new Map((offsets?.partitions ?? []).map((p) => [p.partition, BigInt(p.offset)]))
      }),
    (cluster) => Effect.promise(() => cluster.disconnect().catch(() => undefined)),
  )

/** kafkajs' isolation level for ListOffsets and Fetch (`src/protocol/isolationLevel.js`). */
const READ_UNCOMMITTED = 0

/** The part of kafkajs' internal Cluster that `highWatermarks` uses. */
interface KafkajsCluster {
  connect(): Promise<void>
  disconnect(): Promise<void>
  addTargetTopic(topic: string): Promise<void>
  refreshMetadataIfNecessary(): Promise<void>
  findTopicPartitionMetadata(topic: string): ReadonlyArray<{ partitionId: number }>
  fetchTopicsOffset(
    topics: ReadonlyArray<{
      topic: string
      fromBeginning: boolean
      partitions: ReadonlyArray<{ partition: number }>
    }>,
  ): Promise<
    ReadonlyArray<{ topic: string; partitions: ReadonlyArray<{ partition: number; offset: string }> }>
  >
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
  /**
   * The broker fenced this producer: its epoch is stale, because another producer initialised the same
   * transactional id (another instance) or because the coordinator aborted a transaction that outlived the
   * transaction timeout. Which of the two it was, the stream finds out before it stops (see AccountStream).
   */
  get fenced(): boolean {
    const cause = this.cause as { type?: string } | undefined
    return cause?.type === "INVALID_PRODUCER_EPOCH" || cause?.type === "PRODUCER_FENCED"
  }
}
