import { Effect } from "effect"
import type { ConnectorConfig } from "../config/ConnectorConfig.ts"
import { KafkaClient, kafkaCall } from "./KafkaClient.ts"

/** Creates the connector's topics when missing. The checkpoint topic is compacted: only the latest per account matters. */
export const ensureTopics = (config: ConnectorConfig["kafka"]) =>
  Effect.gen(function* () {
    const kafka = yield* KafkaClient
    const admin = kafka.admin()
    yield* Effect.acquireUseRelease(
      kafkaCall("admin connect", () => admin.connect()),
      () =>
        Effect.gen(function* () {
          const existing = new Set(yield* kafkaCall("list topics", () => admin.listTopics()))
          const wanted = [
            { topic: config.topics.activities, configEntries: [] },
            { topic: config.topics.login_failed, configEntries: [] },
            { topic: config.topics.dead_letter, configEntries: [] },
            {
              topic: config.topics.checkpoints,
              configEntries: [
                { name: "cleanup.policy", value: "compact" },
                { name: "min.compaction.lag.ms", value: "60000" },
              ],
            },
          ].filter((t) => !existing.has(t.topic))
          if (wanted.length === 0) return
          yield* kafkaCall("create topics", () =>
            admin.createTopics({
              waitForLeaders: true,
              topics: wanted.map((t) => ({
                ...t,
                numPartitions: config.partitions,
                replicationFactor: config.replication_factor,
              })),
            }),
          )
          yield* Effect.logInfo("created topics").pipe(
            Effect.annotateLogs({ topics: wanted.map((t) => t.topic) }),
          )
        }),
      () => Effect.promise(() => admin.disconnect()),
    )
  })
