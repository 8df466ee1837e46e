import { Cause, Effect, Layer } from "effect"
import { HealthStatus } from "../api/HealthStatus.ts"
import { ApiServer, serve } from "../api/HttpServer.ts"
import { providerClientsLayer } from "../auth/providerClients.ts"
import { Config, type LoadedConfig, loadConfigFile, parseConfig } from "../config/loadConfig.ts"
import { CursorCodec } from "../cursor/CursorCodec.ts"
import { loggingLayer } from "../observability/logging.ts"
import { prometheusExposition } from "../observability/prometheus.ts"
import { ActivitySink } from "../pipeline/ActivitySink.ts"
import { runBackfill } from "../pipeline/Backfill.ts"
import { CheckpointStore } from "../pipeline/CheckpointStore.ts"
import { KafkaClient } from "../pipeline/KafkaClient.ts"
import { runPipeline } from "../pipeline/Pipeline.ts"
import { StreamHealth } from "../pipeline/StreamHealth.ts"
import { providers } from "../providers/registry.ts"
import { type CliArgs, UsageError } from "./args.ts"

/** `/healthz` and `/metrics` from the streams: degraded while any account is retrying or stopped. */
const healthFromStreams = Layer.effect(
  HealthStatus,
  Effect.map(StreamHealth, (streams) => ({
    report: Effect.map(streams.snapshot, (accounts) => ({
      status: accounts.some((a) => a.state === "retrying" || a.state === "stopped")
        ? ("degraded" as const)
        : ("ok" as const),
      accounts,
    })),
    metrics: Effect.map(streams.snapshot, prometheusExposition),
  })),
)

/**
 * A development-only module (src/dev, and through it src/simulators), loaded on demand: the production image
 * leaves them out, and there a run that would need them is a usage error rather than a missing-module crash.
 */
const developmentModule = <M>(load: () => Promise<M>, missing: string) =>
  Effect.tryPromise({ try: load, catch: () => new UsageError({ message: missing }) })

const startLocalKafka = Effect.flatMap(
  developmentModule(
    () => import("../dev/LocalKafka.ts"),
    "no Kafka brokers are configured (kafka.brokers or KAFKA_BROKERS), and this installation has no local development broker (src/dev)",
  ),
  ({ localKafka }) => localKafka(),
)

const brokersFor = (loaded: LoadedConfig) => {
  const fromEnv = process.env.KAFKA_BROKERS?.split(",")
    .map((b) => b.trim())
    .filter(Boolean)
  const configured = fromEnv?.length ? fromEnv : loaded.config.kafka.brokers
  return configured ? Effect.succeed([...configured]) : Effect.map(startLocalKafka, (k) => k.brokers)
}

const commonLayers = (loaded: LoadedConfig) =>
  Layer.mergeAll(
    Config.layer(loaded),
    CursorCodec.layer(loaded.config.server.cursor_secret),
    // One token cache per process, on the same connection pool and rate-limit state as the API calls.
    providerClientsLayer(providers, { maxResponseBytes: loaded.config.provider.max_response_bytes }),
    loggingLayer(loaded.config.log_level),
  )

/** The Kafka client and the pipeline's ports onto it: the activity sink and the checkpoint store. */
const kafkaLayers = (loaded: LoadedConfig, brokers: ReadonlyArray<string>) =>
  Layer.provideMerge(
    Layer.merge(ActivitySink.kafka(loaded.config.kafka), CheckpointStore.kafka(loaded.config.kafka)),
    KafkaClient.layer(loaded.config.kafka, brokers),
  )

/** Everything the pipeline and the API need, for one loaded config and cluster. */
export const appLayers = (loaded: LoadedConfig, brokers: ReadonlyArray<string>) => {
  const streams = StreamHealth.layer
  return Layer.mergeAll(
    commonLayers(loaded),
    kafkaLayers(loaded, brokers),
    streams,
    Layer.provide(healthFromStreams, streams),
  )
}

/** The pipeline and the HTTP API together, for as long as the scope lives. */
const runAll = (loaded: LoadedConfig) =>
  Effect.gen(function* () {
    const brokers = yield* brokersFor(loaded)
    return yield* Effect.gen(function* () {
      yield* Layer.build(ApiServer.layer)
      return yield* runPipeline()
    }).pipe(Effect.provide(appLayers(loaded, brokers)))
  })

/** `run` with no config: simulated providers and a local broker, for development only. */
const embedded = Effect.gen(function* () {
  const { embeddedConfigYaml, simulateOngoingActivity, startEmbeddedSimulators } = yield* developmentModule(
    () => import("../dev/EmbeddedDefaults.ts"),
    "no config given (--config PATH or CONNECTOR_CONFIG), and this installation has no embedded development defaults (src/dev, src/simulators)",
  )
  const simulators = yield* startEmbeddedSimulators
  const brokers = process.env.KAFKA_BROKERS?.split(",") ?? (yield* startLocalKafka).brokers
  const loaded = yield* parseConfig("(embedded defaults)", embeddedConfigYaml(simulators, brokers))
  yield* Effect.logInfo("embedded defaults: simulated providers, local Kafka").pipe(
    Effect.annotateLogs({
      integrations: simulators.map((s) => s.integration),
      brokers,
      api: `http://127.0.0.1:${loaded.config.server.port}/unified/user-directory/activities`,
      topics: Object.values(loaded.config.kafka.topics),
    }),
  )
  yield* simulateOngoingActivity(simulators)
  return loaded
})

const loadOrExit = (configPath: string | undefined) =>
  configPath === undefined
    ? Effect.fail(new UsageError({ message: "this command needs --config PATH (or CONNECTOR_CONFIG)" }))
    : loadConfigFile(configPath)

export const runConnector = (args: CliArgs, configPath: string | undefined) =>
  Effect.gen(function* () {
    switch (args.command) {
      case "run": {
        const loaded = configPath === undefined ? yield* embedded : yield* loadConfigFile(configPath)
        return yield* runAll(loaded)
      }
      case "serve": {
        const loaded = yield* loadOrExit(configPath)
        return yield* serve.pipe(Effect.provide(commonLayers(loaded)))
      }
      case "backfill": {
        const loaded = yield* loadOrExit(configPath)
        const account = args.options.account
        const start = args.options.cursor
          ? { cursor: args.options.cursor }
          : args.options.since
            ? { since: args.options.since }
            : undefined
        if (!account || !start) {
          return yield* new UsageError({
            message: "backfill needs --account ID and one of --cursor or --since",
          })
        }
        const brokers = yield* brokersFor(loaded)
        const totals = yield* runBackfill(account, start).pipe(
          Effect.provide(Layer.merge(commonLayers(loaded), kafkaLayers(loaded, brokers))),
        )
        yield* Effect.logInfo("backfill done").pipe(Effect.annotateLogs(totals))
        return
      }
      case "help":
        return
    }
  }).pipe(
    Effect.scoped,
    Effect.tapErrorCause((cause) =>
      Cause.isInterruptedOnly(cause)
        ? Effect.void
        : Effect.sync(() => {
            const failure = Cause.squash(cause) as { message?: string }
            console.error(failure?.message ?? Cause.pretty(cause))
          }),
    ),
  )
