import { Clock, Effect } from "effect"
import kafkajs, { type Admin } from "kafkajs"
import { type ConnectorConfig, retentionMs } from "../../config/ConnectorConfig.ts"
import { durabilityProblems, type TopicDurability } from "../durabilityProblems.ts"
import { ShardCountMismatch, TopicsUnsafe } from "../KafkaAdmin.ts"
import { KafkaFailure } from "../KafkaFailure.ts"
import {
  type ConnectorTopics,
  type PublishStart,
  retentionProblems,
  type TopicRetention,
} from "../retentionProblems.ts"
import { shardCount } from "../Shard.ts"
import { KafkaClient, kafkaCall } from "./KafkaClient.ts"

// kafkajs is CommonJS and Node's static analysis of it misses this export, so it is read off the default.
const { ConfigResourceTypes } = kafkajs

/** Each topic's fewest replicas of a partition and its effective min.insync.replicas. */
export const describeTopicDurability = (admin: Admin, topics: ReadonlyArray<string>) =>
  Effect.all({
    metadata: kafkaCall("fetch topic metadata", () => admin.fetchTopicMetadata({ topics: [...topics] })),
    configs: kafkaCall("describe topic configs", () =>
      admin.describeConfigs({
        includeSynonyms: false,
        resources: topics.map((name) => ({
          type: ConfigResourceTypes.TOPIC,
          name,
          configNames: ["min.insync.replicas"],
        })),
      }),
    ),
  }).pipe(
    Effect.map(({ metadata, configs }) =>
      metadata.topics.map(
        (topic): TopicDurability => ({
          topic: topic.name,
          replicationFactor: Math.min(...topic.partitions.map((p) => p.replicas.length)),
          minInsyncReplicas: Number(
            configs.resources
              .find((r) => r.resourceName === topic.name)
              ?.configEntries.find((e) => e.configName === "min.insync.replicas")?.configValue ?? 1,
          ),
        }),
      ),
    ),
  )

const retentionConfigNames = ["message.timestamp.type", "retention.ms", "cleanup.policy"]

/** The effective settings (the topic's own, else the broker's defaults) that decide when records are deleted. */
export const describeTopicRetention = (admin: Admin, topics: ReadonlyArray<string>) =>
  kafkaCall("describe topic configs", () =>
    admin.describeConfigs({
      includeSynonyms: false,
      resources: topics.map((name) => ({
        type: ConfigResourceTypes.TOPIC,
        name,
        configNames: retentionConfigNames,
      })),
    }),
  ).pipe(
    Effect.map(
      ({ resources }) =>
        new Map(
          resources.map((resource): [string, TopicRetention] => {
            const value = (name: string) =>
              resource.configEntries.find((entry) => entry.configName === name)?.configValue ?? ""
            return [
              resource.resourceName,
              {
                topic: resource.resourceName,
                timestampType: value("message.timestamp.type"),
                retentionMs: Number(value("retention.ms")),
                cleanupPolicy: value("cleanup.policy")
                  .split(",")
                  .map((policy) => policy.trim())
                  .filter(Boolean),
              },
            ]
          }),
        ),
    ),
  )

/**
 * The checkpoint topic's settings when the connector creates it. Every start and every resynchronisation reads
 * it from the beginning, and the cleaner never compacts the active segment: with Kafka's defaults (1 GiB, 7
 * days) that is every checkpoint of the past week, one per page or poll of every account. Small segments
 * rolled hourly keep the uncompacted tail to at most 16 MiB or an hour of commits per partition.
 */
export const checkpointTopicSettings = [
  { name: "cleanup.policy", value: "compact" },
  { name: "min.compaction.lag.ms", value: "60000" },
  { name: "segment.bytes", value: String(16 * 1024 * 1024) },
  { name: "segment.ms", value: String(60 * 60 * 1000) },
]

/**
 * Creates the connector's topics when missing, then refuses to go on when their settings would delete what
 * `starts` publish (see `retentionProblems`). Topics it creates stamp records with the broker's append time,
 * so retention counts from publication whatever the activity's age; the checkpoint topic is compacted, with
 * no time retention: only the latest per account matters, for as long as the account exists.
 */
export const ensureTopics = (config: ConnectorConfig["kafka"], starts: ReadonlyArray<PublishStart>) =>
  Effect.gen(function* () {
    const kafka = yield* KafkaClient
    const shards = shardCount(config)
    const admin = kafka.admin()
    const durability =
      config.min_insync_replicas === undefined
        ? []
        : [{ name: "min.insync.replicas", value: String(config.min_insync_replicas) }]
    const published = [
      { name: "message.timestamp.type", value: "LogAppendTime" },
      ...(config.retention === undefined
        ? []
        : [{ name: "retention.ms", value: String(retentionMs(config.retention)) }]),
      ...(config.compression === undefined ? [] : [{ name: "compression.type", value: config.compression }]),
      ...durability,
    ]
    yield* Effect.acquireUseRelease(
      kafkaCall("admin connect", () => admin.connect()),
      () =>
        Effect.gen(function* () {
          const existing = new Set(yield* kafkaCall("list topics", () => admin.listTopics()))
          const wanted = [
            { topic: config.topics.activities, configEntries: published },
            { topic: config.topics.login_failed, configEntries: published },
            { topic: config.topics.dead_letter, configEntries: published },
            ...(config.ocsf.enabled ? [{ topic: config.topics.ocsf, configEntries: published }] : []),
            {
              topic: config.topics.checkpoints,
              configEntries: [...checkpointTopicSettings, ...durability],
            },
          ].filter((t) => !existing.has(t.topic))
          if (wanted.length > 0) {
            yield* kafkaCall("create topics", () =>
              admin.createTopics({
                waitForLeaders: true,
                topics: wanted.map((t) => ({
                  ...t,
                  // The checkpoint topic has one partition per shard.
                  numPartitions: t.topic === config.topics.checkpoints ? shards : config.partitions,
                  replicationFactor: config.replication_factor,
                })),
              }),
            )
            yield* Effect.logInfo("created topics").pipe(
              Effect.annotateLogs({ topics: wanted.map((t) => t.topic) }),
            )
          }

          // The shards are the checkpoint topic's partitions: a topic with another count puts accounts in other
          // partitions than the hash says, and instances would resume them from no checkpoint.
          const metadata = yield* kafkaCall("describe the checkpoint topic", () =>
            admin.fetchTopicMetadata({ topics: [config.topics.checkpoints] }),
          )
          const partitions = metadata.topics[0]?.partitions.length ?? 0
          if (partitions !== shards)
            return yield* new ShardCountMismatch({ topic: config.topics.checkpoints, partitions, shards })

          // Read back even the topics just created: another instance, or an operator, may have created
          // them first with other settings.
          const names = config.topics
          // The OCSF topic only when it is written: otherwise it need not exist.
          const used = [...new Set(Object.values(names))].filter(
            (t) => config.ocsf.enabled || t !== names.ocsf,
          )
          const settings = yield* describeTopicRetention(admin, used)
          const of = (topic: string) =>
            Effect.fromNullable(settings.get(topic)).pipe(
              Effect.mapError(
                () =>
                  new KafkaFailure({
                    operation: "describe topic configs",
                    cause: new Error(`the broker did not answer for topic ${topic}`),
                  }),
              ),
            )
          const topics: ConnectorTopics = yield* Effect.all({
            activities: of(names.activities),
            login_failed: of(names.login_failed),
            dead_letter: of(names.dead_letter),
            checkpoints: of(names.checkpoints),
          })
          const durable = yield* describeTopicDurability(admin, used)
          const problems = [
            ...retentionProblems(topics, starts, yield* Clock.currentTimeMillis),
            ...durabilityProblems(durable, config),
          ]
          if (problems.length > 0) return yield* new TopicsUnsafe({ problems })
        }),
      // A release must not fail: a broker gone by now is the next call's problem, not this one's.
      () => kafkaCall("admin disconnect", () => admin.disconnect()).pipe(Effect.ignore),
    )
  })
