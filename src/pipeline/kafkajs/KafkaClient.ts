import { readFileSync } from "node:fs"
import { Context, Effect, Layer } from "effect"
import { Kafka, type KafkaConfig as KafkaJsConfig, logLevel, type SASLOptions } from "kafkajs"
import { type ConnectorConfig, durationMs } from "../../config/ConnectorConfig.ts"
import { KafkaFailure } from "../KafkaFailure.ts"
import { tuneKafkajsEncoding } from "./kafkajsEncoding.ts"
import { stopKafkajsIdleLoop } from "./kafkajsIdleLoop.ts"
import { makeOAuthBearerProvider } from "./oauthBearerProvider.ts"

/** The kafkajs client, configured for the cluster: brokers, client id, TLS (CA file), SASL. */
export class KafkaClient extends Context.Tag("KafkaClient")<KafkaClient, Kafka>() {
  static readonly layer = (config: ConnectorConfig["kafka"], brokers: ReadonlyArray<string>) =>
    Layer.sync(KafkaClient, () => {
      stopKafkajsIdleLoop()
      tuneKafkajsEncoding()
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
  const sasl: SASLOptions | undefined =
    config.sasl === undefined
      ? undefined
      : config.sasl.mechanism === "oauthbearer"
        ? {
            mechanism: "oauthbearer",
            oauthBearerProvider: makeOAuthBearerProvider({
              tokenEndpoint: config.sasl.token_endpoint,
              clientId: config.sasl.client_id,
              clientSecret: config.sasl.client_secret,
              scope: config.sasl.scope,
              timeoutMs: durationMs(config.request_timeout),
            }),
          }
        : ({
            mechanism: config.sasl.mechanism,
            username: config.sasl.username,
            password: config.sasl.password,
          } as SASLOptions)
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
 * internal cannot move under us. No maintained client of this ecosystem exposes it either.
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
    (cluster) => letGo(cluster),
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
/**
 * The longest any one kafkajs call may take. kafkajs bounds each request (`requestTimeout`) and each retry
 * series, but not every promise it hands out: a call waiting on a connection whose queue never drains, or on
 * an event that never comes, would otherwise hold whatever waits on it (a shard's turn, a shared read) for
 * good. Far above any bounded call's worst case (retries × (connection + request timeouts)), so it only ever
 * turns a hang into a failure the caller retries.
 */
export const kafkaCallBoundMs = 120_000

/** A kafkajs call as an Effect: its rejection, or no answer within `boundMs`, is a `KafkaFailure`. */
export const kafkaCall = <A>(what: string, run: () => Promise<A>, boundMs = kafkaCallBoundMs) =>
  Effect.tryPromise({
    // Bounded on the promise, not with Effect.timeout: calls made in uninterruptible regions (a transaction
    // once sent, a producer's start) could not be cut short by an interruption.
    try: () =>
      new Promise<A>((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no answer within ${Math.round(boundMs / 1000)} s`)),
          boundMs,
        )
        run()
          .then(resolve, reject)
          .finally(() => clearTimeout(timer))
      }),
    catch: (cause) => new KafkaFailure({ operation: what, cause }),
  })

/**
 * Releases run on shutdown and after failures; a broker that is gone must not turn them into defects, nor
 * hold the shutdown. Interruptible, because releases run uninterruptibly and a timeout there could otherwise
 * not abandon the call (the promise is left to kafkajs).
 */
/**
 * Disconnects a kafkajs client, waiting at most `ms`. kafkajs's disconnect first waits for the requests queued
 * on each connection, and a request queued behind one to a broker that went silent can keep it waiting for
 * good (kafkajs issues #918, #1167). The client is being let go: after the bound it is abandoned, its sockets
 * left to the broker's idle timeout, rather than holding up whatever replaces it.
 */
export const letGo = (client: { disconnect(): Promise<void> }, ms = 10_000) =>
  Effect.promise(
    () =>
      new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, ms)
        client
          .disconnect()
          .catch(() => undefined)
          .finally(() => {
            clearTimeout(timer)
            resolve()
          })
      }),
  )

export const quietly = (what: string, run: () => Promise<unknown>) =>
  kafkaCall(what, run).pipe(
    Effect.interruptible,
    Effect.timeout("10 seconds"),
    Effect.catchAll((error) => Effect.logDebug(`${what} failed during release`, error)),
  )
