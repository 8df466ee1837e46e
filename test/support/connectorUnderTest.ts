import { Context, Effect, Layer } from "effect"
import { inject } from "vitest"
import { appLayers } from "../../src/cli/runConnector.ts"
import { parseConfig } from "../../src/config/loadConfig.ts"
import { runPipeline } from "../../src/pipeline/Pipeline.ts"
import { type AccountStreamHealth, StreamHealth } from "../../src/pipeline/StreamHealth.ts"
import type { IntegrationRegistry } from "../../src/providers/IntegrationRegistry.ts"
import { Integrations, registry } from "../../src/providers/registry.ts"
import { pipelineConfigYaml } from "./pipelineConfig.ts"
import { uniqueTopics } from "./topics.ts"

/** What `pipelineConfigYaml` takes, less the broker and topics, which are the test broker's and fresh ones. */
export type ConnectorOptions = Omit<Parameters<typeof pipelineConfigYaml>[0], "brokers" | "topics"> & {
  /** The integration registry the connector runs with; default the production one. */
  readonly registry?: IntegrationRegistry
}

export type ConnectorContext = Context.Context<Layer.Layer.Success<ReturnType<typeof appLayers>>>

/**
 * A connector on the test broker and fresh topics, its services built once for the scope, so the test reads
 * the same StreamHealth (and uses the same Kafka client) as the pipeline it starts with `startPipeline`.
 */
export const connectorUnderTest = (options: ConnectorOptions) =>
  Effect.gen(function* () {
    const brokers = inject("kafkaBrokers")
    const topics = uniqueTopics()
    const { registry: integrations = registry, ...yamlOptions } = options
    const loaded = yield* parseConfig(
      "test",
      pipelineConfigYaml({ ...yamlOptions, brokers, topics }),
      process.env,
      integrations,
    )
    const context: ConnectorContext = yield* Layer.build(
      Layer.merge(appLayers(loaded, [brokers]), Layer.succeed(Integrations, integrations)),
    )
    return {
      topics,
      loaded,
      context,
      /** In config order: one per simulator. */
      accountIds: loaded.accounts.map(({ account }) => account.id),
      health: Context.get(context, StreamHealth),
    }
  })

/** Runs the pipeline on `context` in a fiber of the scope; retries back off from 100 ms unless told. */
export const startPipeline = (
  context: ConnectorContext,
  settings: Parameters<typeof runPipeline>[0] = { minBackoff: "100 millis" },
) => runPipeline(settings).pipe(Effect.provide(context), Effect.forkScoped)

/** Until the (one) account is caught up with at least `published` activities published by this instance. */
export const caughtUp = (snapshot: Effect.Effect<ReadonlyArray<AccountStreamHealth>>, published: number) =>
  Effect.gen(function* () {
    for (;;) {
      const [state] = yield* snapshot
      if (state?.state === "caught_up" && state.published_total >= published) return
      yield* Effect.sleep("50 millis")
    }
  })
