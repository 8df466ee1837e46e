import { Effect, Either } from "effect"
import { ConfigResourceTypes } from "kafkajs"
import { describe, expect, inject, it } from "vitest"
import { parseConfig } from "../../src/config/loadConfig.ts"
import { durabilityProblems } from "../../src/pipeline/durabilityProblems.ts"
import { KafkaClient } from "../../src/pipeline/kafkajs/KafkaClient.ts"
import { ensureTopics } from "../../src/pipeline/kafkajs/Topics.ts"
import { pipelineConfigYaml } from "../support/pipelineConfig.ts"
import { uniqueTopics, withAdmin as withAdminOf } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")

const kafkaSettings = (topics: ReturnType<typeof uniqueTopics>, kafka: Record<string, unknown>) => {
  const parsed = parseConfig("test", pipelineConfigYaml({ brokers, topics, simulators: [], kafka }))
  if (Either.isLeft(parsed)) throw new Error(parsed.left.message)
  return parsed.right.config.kafka
}

const withAdmin = <A>(use: Parameters<typeof withAdminOf<A>>[1]) => withAdminOf(brokers, use)

const settingsOf = (topic: string, names: ReadonlyArray<string>) =>
  withAdmin(async (admin) => {
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configNames: [...names] }],
    })
    return Object.fromEntries((resources[0]?.configEntries ?? []).map((e) => [e.configName, e.configValue]))
  })

describe("topic settings from the config (kafka.min_insync_replicas, compression, replication_factor)", () => {
  it("creates the topics with them: compression on the published topics, min.insync.replicas on all four", async () => {
    await Effect.runPromise(
      Effect.gen(function* () {
        const topics = uniqueTopics()
        const config = kafkaSettings(topics, {
          replication_factor: 1,
          min_insync_replicas: 1,
          compression: "zstd",
        })
        yield* ensureTopics(config, []).pipe(Effect.provide(KafkaClient.layer(config, [brokers])))
        for (const topic of [topics.activities, topics.login_failed, topics.dead_letter]) {
          expect(yield* settingsOf(topic, ["compression.type", "min.insync.replicas"]), topic).toEqual({
            "compression.type": "zstd",
            "min.insync.replicas": "1",
          })
        }
        const checkpoints = yield* settingsOf(topics.checkpoints, ["cleanup.policy", "min.insync.replicas"])
        expect(checkpoints).toEqual({ "cleanup.policy": "compact", "min.insync.replicas": "1" })
      }),
    )
  })

  it("refuses a found topic whose min.insync.replicas exceeds its replicas (every write refused)", async () => {
    await Effect.runPromise(
      Effect.gen(function* () {
        const topics = uniqueTopics()
        yield* withAdmin((admin) =>
          admin.createTopics({
            waitForLeaders: true,
            topics: [
              {
                topic: topics.activities,
                numPartitions: 1,
                replicationFactor: 1,
                configEntries: [
                  { name: "message.timestamp.type", value: "LogAppendTime" },
                  { name: "min.insync.replicas", value: "2" },
                ],
              },
            ],
          }),
        )
        const config = kafkaSettings(topics, {})
        const refused = yield* ensureTopics(config, []).pipe(
          Effect.provide(KafkaClient.layer(config, [brokers])),
          Effect.flip,
        )
        expect(refused._tag).toBe("TopicsUnsafe")
        const problems = refused._tag === "TopicsUnsafe" ? refused.problems : []
        expect(problems).toHaveLength(1)
        expect(problems[0]).toContain(
          `topic ${topics.activities} has min.insync.replicas=2 but 1 replica(s): every write would be refused`,
        )
        expect(refused.message).toContain("refusing to start")
      }),
    )
  })
})

describe("durabilityProblems", () => {
  const topic = (name: string, replicationFactor: number, minInsyncReplicas: number) => ({
    topic: name,
    replicationFactor,
    minInsyncReplicas,
  })

  it("none when the topics hold what the config asks (or it asks nothing)", () => {
    expect(durabilityProblems([topic("a", 3, 2), topic("b", 1, 1)], { replication_factor: -1 })).toEqual([])
    expect(durabilityProblems([topic("a", 3, 2)], { replication_factor: 3, min_insync_replicas: 2 })).toEqual(
      [],
    )
  })

  it("fewer replicas, or a lower min.insync.replicas, than configured; one topic named once", () => {
    const problems = durabilityProblems([topic("a", 2, 1), topic("a", 2, 1), topic("b", 3, 2)], {
      replication_factor: 3,
      min_insync_replicas: 2,
    })
    expect(problems).toEqual([
      expect.stringContaining("topic a has 2 replica(s), fewer than kafka.replication_factor=3"),
      expect.stringContaining("topic a has min.insync.replicas=1, fewer than kafka.min_insync_replicas=2"),
    ])
  })
})

describe("kafka.min_insync_replicas in the config", () => {
  it("may not exceed kafka.replication_factor; compression takes Kafka's codecs only", () => {
    const parsed = parseConfig(
      "test",
      pipelineConfigYaml({
        brokers,
        topics: uniqueTopics(),
        simulators: [],
        kafka: { replication_factor: 2, min_insync_replicas: 3, compression: "brotli" },
      }),
    )
    if (Either.isRight(parsed)) throw new Error("expected the config to be rejected")
    expect(parsed.left.problems).toEqual([
      "kafka.compression: must be producer, uncompressed, gzip, snappy, lz4 or zstd",
    ])
    const second = parseConfig(
      "test",
      pipelineConfigYaml({
        brokers,
        topics: uniqueTopics(),
        simulators: [],
        kafka: { replication_factor: 2, min_insync_replicas: 3 },
      }),
    )
    if (Either.isRight(second)) throw new Error("expected the config to be rejected")
    expect(second.left.problems).toEqual([
      "kafka.min_insync_replicas: must be at most kafka.replication_factor (a topic with fewer replicas in sync than this refuses every write)",
    ])
  })
})
