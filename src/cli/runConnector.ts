import { Cause, Clock, Console, Context, Data, type Duration, Effect, Fiber, Layer, type Scope } from "effect"
import { listActivities } from "../activities/ListActivities.ts"
import { listActivitiesErrorResponse } from "../api/ErrorResponse.ts"
import { HealthStatus } from "../api/HealthStatus.ts"
import { ApiServer } from "../api/HttpServer.ts"
import { RequestsInFlight } from "../api/RequestsInFlight.ts"
import { providerClientsLayer } from "../auth/providerClients.ts"
import { RefreshTokenStore } from "../auth/RefreshTokenStore.ts"
import { Config, type LoadedConfig } from "../config/Config.ts"
import { durationMs } from "../config/ConnectorConfig.ts"
import { CurrentAccounts } from "../config/CurrentAccounts.ts"
import { type ConfigInvalid, loadConfigFile, parseConfig } from "../config/loadConfig.ts"
import { watchConfig } from "../config/watchConfig.ts"
import { CursorCodec } from "../cursor/CursorCodec.ts"
import type { ProviderHttpOptions } from "../http/ProviderHttp.ts"
import { loggingLayer } from "../observability/logging.ts"
import { makeStreamMetrics } from "../observability/metrics.ts"
import { runBackfill } from "../pipeline/Backfill.ts"
import { KafkaClient } from "../pipeline/kafkajs/KafkaClient.ts"
import { kafkaActivitySink } from "../pipeline/kafkajs/kafkaActivitySink.ts"
import { kafkaAdmin } from "../pipeline/kafkajs/kafkaAdmin.ts"
import { kafkaCheckpointStore } from "../pipeline/kafkajs/kafkaCheckpointStore.ts"
import { kafkaRefreshTokenStore } from "../pipeline/kafkajs/kafkaRefreshTokenStore.ts"
import { kafkaShardGroup } from "../pipeline/kafkajs/kafkaShardGroup.ts"
import { runPipeline } from "../pipeline/Pipeline.ts"
import { type AccountStreamHealth, StreamHealth } from "../pipeline/StreamHealth.ts"
import { providers } from "../providers/registry.ts"
import { returnFreedHeapPages } from "./freedHeapPages.ts"

/** A command line or a setting the command cannot work with: exit 2, with the usage. */
export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

/** How long after start an account may take to show progress before it counts as stuck. */

/**
 * `/healthz`, `/readyz` and the per-account metrics from the streams of the shards this instance holds.
 * Degraded while any of its accounts is retrying or stopped; down (503) when none can make progress: all
 * stopped, or all retrying for longer than `server.management.unhealthy_after` without a good page. Down too
 * when, for longer than that, the instance has held accounts that no stream of it runs (a shard whose
 * producer or checkpoint read does not come up), or has been out of the shard group (joining, or rebalancing
 * without a new assignment): what it holds then reaches no topic, and a restart or a move of its shards is
 * the remedy, where a stopped account needs an operator and a restart would not mend it. Ready
 * once the instance has joined the shard group and every enabled account of the shards it holds has started
 * (after the broker answered and their checkpoints were read); it stays ready through later rebalances, as the
 * endpoint serves whatever the instance holds.
 */
const healthFromStreams = Layer.effect(
  HealthStatus,
  Effect.gen(function* () {
    const streams = yield* StreamHealth
    const { config } = yield* Config
    const stuckAfterMs = durationMs(config.server.management.unhealthy_after)
    const mirror = yield* makeStreamMetrics
    // An account with no page yet has been stuck, if at all, since the layer was built.
    const startedAtMs = yield* Clock.currentTimeMillis
    let readyOnce = false
    const stuck = (a: AccountStreamHealth, now: number) =>
      a.state === "stopped" ||
      (a.state === "retrying" &&
        now - (a.last_page_at ? Date.parse(a.last_page_at) : startedAtMs) > stuckAfterMs)
    return {
      report: Effect.gen(function* () {
        const accounts = yield* streams.snapshot
        const held = yield* streams.held
        const now = yield* Clock.currentTimeMillis
        // The snapshot holds just the accounts of the held shards whose streams started.
        const notStreaming = Math.max(0, held.accounts - accounts.length)
        const unstreamed = now - held.since > stuckAfterMs && (held.group !== "member" || notStreaming > 0)
        const status =
          unstreamed || (accounts.length > 0 && accounts.every((a) => stuck(a, now)))
            ? ("down" as const)
            : notStreaming > 0 || accounts.some((a) => a.state === "retrying" || a.state === "stopped")
              ? ("degraded" as const)
              : ("ok" as const)
        return {
          status,
          group: held.group,
          shards: held.shards,
          held_since: new Date(held.since).toISOString(),
          accounts_not_streaming: notStreaming,
          accounts,
        }
      }),
      readiness: Effect.gen(function* () {
        const accounts = yield* streams.snapshot
        const held = yield* streams.held
        readyOnce ||= held.group === "member" && accounts.length >= held.accounts
        return {
          ready: readyOnce,
          group: held.group,
          shards: held.shards,
          accounts_started: accounts.length,
          accounts_enabled: held.accounts,
        }
      }),
      observe: Effect.gen(function* () {
        yield* mirror(yield* streams.snapshot, yield* Clock.currentTimeMillis, (yield* streams.held).shards)
      }),
    }
  }),
)

/** Every `every`, one info line per account with what it published since the line before (not per page). */
const progressLines = (every: Duration.DurationInput) =>
  Effect.gen(function* () {
    const streams = yield* StreamHealth
    const last = new Map<string, { published: number; deadLettered: number }>()
    yield* Effect.sleep(every)
    return yield* Effect.forever(
      Effect.gen(function* () {
        for (const a of yield* streams.snapshot) {
          const before = last.get(a.integrated_account_id) ?? { published: 0, deadLettered: 0 }
          last.set(a.integrated_account_id, {
            published: a.published_total,
            deadLettered: a.dead_lettered_total,
          })
          yield* Effect.logInfo("account progress").pipe(
            Effect.annotateLogs({
              integrated_account_id: a.integrated_account_id,
              integration: a.integration,
              state: a.state,
              published: a.published_total - before.published,
              dead_lettered: a.dead_lettered_total - before.deadLettered,
              published_total: a.published_total,
              ...(a.last_error === undefined ? {} : { last_error: a.last_error }),
            }),
          )
        }
      }).pipe(Effect.zipRight(Effect.sleep(every))),
    )
  })

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

/** Where rotated refresh tokens are kept: the credentials topic when `credentials_store` is configured. */
const refreshTokenStore = (loaded: LoadedConfig, brokers: ReadonlyArray<string>) => {
  const store = loaded.config.credentials_store
  return store === undefined
    ? RefreshTokenStore.Default
    : kafkaRefreshTokenStore(loaded.config.kafka, store).pipe(
        Layer.provide(KafkaClient.layer(loaded.config.kafka, brokers)),
      )
}

/**
 * The store for a command that otherwise needs no broker (`serve`, `check-config`): it too refreshes tokens,
 * and a rotation it did not keep would leave `run` sending an invalidated one.
 */
const refreshTokenStoreOnBrokers = (loaded: LoadedConfig) =>
  loaded.config.credentials_store === undefined
    ? RefreshTokenStore.Default
    : onBrokers(loaded, (brokers) => refreshTokenStore(loaded, brokers))

const commonLayers = <E>(
  loaded: LoadedConfig,
  http: Partial<ProviderHttpOptions> = {},
  refreshTokens: Layer.Layer<RefreshTokenStore, E> = RefreshTokenStore.Default as Layer.Layer<
    RefreshTokenStore,
    E
  >,
) => {
  const logging = loggingLayer(loaded.config.log_level)
  return Layer.mergeAll(
    Config.layer(loaded),
    CursorCodec.layer(loaded.config.server.cursor_secret),
    // One token cache per process, on the same connection pool and rate-limit state as the API calls.
    providerClientsLayer(
      providers,
      {
        maxResponseBytes: loaded.config.provider.max_response_bytes,
        requestTimeout: durationMs(loaded.config.provider.request_timeout),
        dailyAllocationShare: loaded.config.provider.daily_allocation_share,
        ...http,
      },
      refreshTokens,
    ),
    logging,
    // Node.js 24 keeps the heap pages it frees resident until told otherwise (see freedHeapPages.ts). The
    // count of requests in flight is the API listener's (where there is one), so the pause waits for quiet.
    Layer.scopedDiscard(Effect.forkScoped(returnFreedHeapPages())).pipe(
      Layer.provide(logging),
      Layer.provideMerge(RequestsInFlight.Default),
    ),
  )
}

/**
 * The Kafka client and the pipeline's ports onto it, its adapters in pipeline/kafkajs/: the activity sink, the
 * checkpoint store, the shard group (joined only when the pipeline runs) and the cluster's administration.
 */
const kafkaLayers = (loaded: LoadedConfig, brokers: ReadonlyArray<string>) =>
  Layer.provideMerge(
    Layer.mergeAll(
      kafkaActivitySink(loaded.config.kafka),
      kafkaCheckpointStore(loaded.config.kafka),
      kafkaShardGroup(loaded.config.kafka),
      kafkaAdmin,
    ),
    KafkaClient.layer(loaded.config.kafka, brokers),
  )

/** Everything the pipeline and the API need, for one loaded config and cluster. */
export const appLayers = (loaded: LoadedConfig, brokers: ReadonlyArray<string>) => {
  const streams = StreamHealth.layer
  return Layer.mergeAll(
    commonLayers(loaded, {}, refreshTokenStore(loaded, brokers)),
    kafkaLayers(loaded, brokers),
    CurrentAccounts.layer(loaded.accounts),
    streams,
    Layer.provide(healthFromStreams, Layer.merge(streams, Config.layer(loaded))),
  )
}

/**
 * The scope the pipeline runs in. Built before the HTTP listeners, so released after them: at shutdown the
 * listeners stop accepting and drain first, then closing this scope stops the account streams (each at a
 * page boundary: a transaction under way commits or aborts) and closes their producers, and only then do the
 * Kafka client, the provider clients and the token cache go.
 */
class PipelineScope extends Context.Tag("PipelineScope")<PipelineScope, Scope.Scope>() {}

/** The running pipeline; the command waits on it, so a final failure of the pipeline ends the process. */
class RunningPipeline extends Context.Tag("RunningPipeline")<
  RunningPipeline,
  Fiber.Fiber<never, unknown>
>() {}

interface Started {
  readonly brokers: ReadonlyArray<string>
  readonly servers: typeof ApiServer.Service
}

/**
 * `run` as one layer graph: config, clients and Kafka; the pipeline's scope; the listeners (bound before any
 * account is touched, so an instance whose port is taken fails before it fences anyone); then the pipeline
 * and the progress lines. Every resource is released once, in the reverse order, when the command ends.
 */
const runLayer = (
  loaded: LoadedConfig,
  brokers: ReadonlyArray<string>,
  announce: (started: Started) => Effect.Effect<void> = () => Effect.void,
  /** `run --config FILE` follows its file; the embedded defaults have none. */
  reload = false,
) => {
  const pipeline = Layer.effect(
    RunningPipeline,
    Effect.flatMap(PipelineScope, (scope) => Effect.forkIn(Effect.scoped(runPipeline()), scope)),
  )
  const progress = Layer.scopedDiscard(Effect.forkScoped(progressLines("30 seconds")))
  const reloads = Layer.scopedDiscard(reload ? Effect.forkScoped(Effect.scoped(watchConfig)) : Effect.void)
  const announced = Layer.effectDiscard(
    Effect.flatMap(ApiServer, (servers) => announce({ brokers, servers })),
  )
  return Layer.mergeAll(pipeline, progress, announced, reloads).pipe(
    Layer.provideMerge(ApiServer.layer),
    Layer.provideMerge(Layer.scoped(PipelineScope, Effect.scope)),
    Layer.provideMerge(appLayers(loaded, brokers)),
  )
}

/** The brokers of a loaded config, then the graph built on them (a local broker lives as long as the graph). */
const onBrokers = <A, E, R>(
  loaded: LoadedConfig,
  graph: (brokers: ReadonlyArray<string>) => Layer.Layer<A, E, R>,
) => Layer.unwrapScoped(Effect.map(brokersFor(loaded), graph))

/** Runs a command's layer graph until its pipeline ends (a final failure) or the process is interrupted. */
const untilPipelineEnds = <E, R>(graph: Layer.Layer<RunningPipeline, E, R>) =>
  Effect.flatMap(RunningPipeline, Fiber.join).pipe(Effect.provide(graph))

/**
 * `run` with no config: simulated providers and a local broker, for development only. The simulators and the
 * broker are built first, so they outlive the connector that reads them.
 */
const embeddedRunLayer = Layer.unwrapScoped(
  Effect.gen(function* () {
    const { embeddedApiKey, embeddedConfigYaml, simulateOngoingActivity, startEmbeddedSimulators } =
      yield* developmentModule(
        () => import("../dev/EmbeddedDefaults.ts"),
        "no config given (--config PATH or CONNECTOR_CONFIG), and this installation has no embedded development defaults (src/dev, src/simulators)",
      )
    const simulators = yield* startEmbeddedSimulators
    const brokers = process.env.KAFKA_BROKERS?.split(",") ?? (yield* startLocalKafka).brokers
    const loaded = yield* parseConfig("(embedded defaults)", embeddedConfigYaml(simulators, brokers))
    yield* Effect.forkScoped(simulateOngoingActivity(simulators))
    // What a newcomer needs to look at what the run does, once everything listens.
    const announce = ({ servers }: Started) =>
      Effect.gen(function* () {
        const topics = loaded.config.kafka.topics
        // The organization goes with the account where the endpoint requires it (Asana, GitHub).
        const accounts = loaded.accounts.map(({ account }) => ({
          id: account.id,
          integration: account.integration,
          ...(account.settings.organization_id === undefined
            ? {}
            : { organization_id: account.settings.organization_id }),
        }))
        const example = accounts.find((a) => a.integration === "okta") ?? accounts[0]
        const api = `${servers.url}/unified/user-directory/activities`
        const exampleQuery = new URLSearchParams({
          integrated_account_id: example?.id ?? "<id>",
          ...(example?.organization_id === undefined ? {} : { organization_id: example.organization_id }),
          limit: "5",
        })
        const curl = `curl -s -H 'Authorization: Bearer ${embeddedApiKey}' '${api}?${exampleQuery}'`
        const tail = "npm run tail -- --follow"
        yield* Effect.logInfo("embedded run started: simulated providers, local Kafka").pipe(
          Effect.annotateLogs({
            brokers,
            accounts,
            topics: Object.values(topics),
            api,
            api_key: embeddedApiKey,
            management: servers.managementUrl,
            tail,
          }),
        )
        if (process.stdout.isTTY) {
          yield* Console.log(
            [
              "",
              "  SIEM activity connector — embedded development run (simulated providers)",
              `  Kafka broker   ${brokers.join(", ")}`,
              ...accounts.map(
                (a) =>
                  `  account        ${a.id}  ${a.integration} (simulator)${a.organization_id === undefined ? "" : `  organization_id=${a.organization_id}`}`,
              ),
              `  topics         ${Object.values(topics).join(", ")}`,
              `  API            ${api}   (Bearer ${embeddedApiKey})`,
              `  try            ${curl}`,
              `  health, docs   ${servers.managementUrl}/healthz  ${servers.managementUrl}/docs`,
              `  watch          ${tail}      (in another terminal)`,
              "  Ctrl-C stops the connector and the broker it started.",
              "",
            ].join("\n"),
          )
        }
      })
    return runLayer(loaded, brokers, announce)
  }),
)

const requireConfig = (
  configPath: string | undefined,
): Effect.Effect<LoadedConfig, UsageError | ConfigInvalid> =>
  configPath === undefined
    ? Effect.fail(new UsageError({ message: "this command needs --config PATH (or CONNECTOR_CONFIG)" }))
    : loadConfigFile(configPath)

/** Prints a failure's message on stderr (the usage error's own, a config error's lines), never a stack. */
const reportFailure = <A, E, R>(program: Effect.Effect<A, E, R>) =>
  program.pipe(
    Effect.scoped,
    Effect.tapErrorCause((cause) =>
      // A usage error is printed with the usage, by the command line.
      Cause.isInterruptedOnly(cause) || Cause.squash(cause) instanceof UsageError
        ? Effect.void
        : Effect.sync(() => {
            const failure = Cause.squash(cause) as { message?: string }
            console.error(failure?.message ?? Cause.pretty(cause))
          }),
    ),
  )

/** `run`: pipeline + HTTP API; with no config, the embedded development defaults. */
export const runCommand = (configPath: string | undefined) =>
  reportFailure(
    configPath === undefined
      ? untilPipelineEnds(embeddedRunLayer)
      : Effect.flatMap(loadConfigFile(configPath), (loaded) =>
          untilPipelineEnds(onBrokers(loaded, (brokers) => runLayer(loaded, brokers, undefined, true))),
        ),
  )

/** `serve`: the HTTP API only, no Kafka; the listeners and the provider clients live until interrupted. */
export const serveCommand = (configPath: string | undefined) =>
  reportFailure(
    Effect.flatMap(requireConfig(configPath), (loaded) =>
      Layer.launch(
        ApiServer.layer.pipe(Layer.provide(commonLayers(loaded, {}, refreshTokenStoreOnBrokers(loaded)))),
      ),
    ),
  )

/** `backfill`: republishes an account's history from a cursor or an instant. */
export const backfillCommand = (
  configPath: string | undefined,
  account: string,
  start: { readonly cursor: string } | { readonly since: string },
) =>
  reportFailure(
    Effect.gen(function* () {
      const loaded = yield* requireConfig(configPath)
      const totals = yield* runBackfill(account, start).pipe(
        Effect.provide(
          onBrokers(loaded, (brokers) =>
            Layer.merge(
              commonLayers(loaded, {}, refreshTokenStore(loaded, brokers)),
              kafkaLayers(loaded, brokers),
            ),
          ),
        ),
      )
      yield* Effect.logInfo("backfill done").pipe(Effect.annotateLogs(totals))
    }),
  )

/**
 * `check-config`: the config validates, and each enabled account's credentials work against its provider:
 * one page of one activity, which is one cheap authenticated request (two where a token is fetched first).
 * One line per account on stdout; fails (exit 1) when any account fails.
 */
export const checkConfigCommand = (configPath: string | undefined) =>
  reportFailure(
    Effect.gen(function* () {
      const loaded = yield* requireConfig(configPath)
      const results = yield* Effect.forEach(
        loaded.accounts,
        ({ account, config }) =>
          !config.enabled
            ? Effect.succeed({ ok: true, line: `skip  ${account.id}  ${account.integration}  disabled` })
            : listActivities({ accountId: account.id, filters: {}, limit: 1 }).pipe(
                // Only the provider's answer is under test: a page that is empty is as good as a full one.
                Effect.as({
                  ok: true,
                  line: `ok    ${account.id}  ${account.integration}  ${account.baseUrl.origin}`,
                }),
                Effect.catchAll((error) =>
                  Effect.succeed({
                    ok: false,
                    line: `FAIL  ${account.id}  ${account.integration}  ${listActivitiesErrorResponse(error).body.error.code}: ${error.message}`,
                  }),
                ),
              ),
        { concurrency: 4 },
      ).pipe(
        // Long retries are the pipeline's business; an operator wants the answer within seconds. Two quick
        // ones, and a provider's short rate-limit wait, are still taken: a 429 (Zoom's per-second limit is met
        // by a first page's several report windows) says nothing about the credentials under test.
        Effect.provide(
          commonLayers(
            loaded,
            {
              maxRetries: 2,
              retryBase: "200 millis",
              requestTimeout: "10 seconds",
              maxRateLimitWait: "5 seconds",
            },
            refreshTokenStoreOnBrokers(loaded),
          ),
        ),
      )
      for (const { line } of results) yield* Console.log(line)
      const failed = results.filter((r) => !r.ok).length
      if (failed > 0) {
        return yield* new CheckFailed({ message: `${failed} of ${results.length} accounts failed the check` })
      }
      yield* Console.log(`config ${loaded.file} is valid; ${results.length} accounts checked`)
    }),
  )

export class CheckFailed extends Data.TaggedError("CheckFailed")<{ readonly message: string }> {}
