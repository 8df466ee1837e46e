import { randomUUID } from "node:crypto"
import { Effect, Either, Layer } from "effect"
import { type ConsumerConfig, Kafka, type ProducerConfig } from "kafkajs"
import { describe, expect, inject, it } from "vitest"
import { stringify } from "yaml"
import { type LoadedConfig, parseConfig } from "../../src/config/loadConfig.ts"
import type { Checkpoint } from "../../src/pipeline/Checkpoint.ts"
import { CheckpointStore } from "../../src/pipeline/CheckpointStore.ts"
import { KafkaClient, kafkaJsConfig } from "../../src/pipeline/kafkajs/KafkaClient.ts"
import { kafkaCheckpointStore } from "../../src/pipeline/kafkajs/kafkaCheckpointStore.ts"
import { ensureTopics } from "../../src/pipeline/kafkajs/Topics.ts"
import { makeAccountPublisher } from "../../src/pipeline/kafkajs/transactionalPublisher.ts"
import {
  backfillTransactionalIdFor,
  checkpointReaderGroupId,
  shardGroupId,
  shardTransactionalId,
  transactionalIdFor,
} from "../../src/pipeline/kafkaNames.ts"
import { kafkaFor, uniqueTopics } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")

const configWith = (kafka: Record<string, unknown>): LoadedConfig => {
  const parsed = parseConfig(
    "test",
    stringify({
      server: { api_keys: ["an-api-key-of-sufficient-length"], cursor_secret: "x".repeat(32) },
      kafka,
      accounts: [
        {
          id: randomUUID(),
          integration: "okta",
          base_url: "https://example.okta.com",
          credentials: { api_token: "okta-token" },
        },
      ],
    }),
    {},
  )
  if (Either.isLeft(parsed)) throw new Error(parsed.left.message)
  return parsed.right
}

describe("the Kafka names the connector uses come from the config's prefixes", () => {
  it("defaults: siem-activity-connector for transactional ids and consumer groups", () => {
    const { config, accounts } = configWith({})
    const account = accounts[0]?.account
    if (!account) throw new Error("no account")
    expect(config.kafka.transactional_id_prefix).toBe("siem-activity-connector")
    expect(config.kafka.group_id_prefix).toBe("siem-activity-connector")
    expect(transactionalIdFor(config.kafka.transactional_id_prefix, account)).toBe(
      `siem-activity-connector.${account.id}`,
    )
    expect(backfillTransactionalIdFor(config.kafka.transactional_id_prefix, account)).toBe(
      `siem-activity-connector.backfill.${account.id}`,
    )
    expect(checkpointReaderGroupId(config.kafka.group_id_prefix)).toMatch(
      /^siem-activity-connector\.checkpoint-reader\.[0-9a-f-]{36}$/,
    )
  })

  it("each shard has one transactional id, and the instances form one group, under the prefixes", () => {
    const { config } = configWith({})
    expect(shardTransactionalId(config.kafka.transactional_id_prefix, 4)).toBe(
      "siem-activity-connector.shard-4",
    )
    expect(shardGroupId(config.kafka.group_id_prefix, config.kafka.topics.checkpoints)).toBe(
      "siem-activity-connector.shards.user-directory.activities.checkpoints",
    )
    expect(shardTransactionalId("acme", 0)).toBe("acme.shard-0")
  })

  it("every checkpoint reader gets a group of its own under the prefix", () => {
    const ids = new Set(Array.from({ length: 100 }, () => checkpointReaderGroupId("acme")))
    expect(ids.size).toBe(100)
    for (const id of ids) expect(id.startsWith("acme.checkpoint-reader.")).toBe(true)
  })

  it("an empty group_id_prefix is a config error", () => {
    const parsed = parseConfig(
      "test",
      stringify({
        server: { api_keys: ["an-api-key-of-sufficient-length"], cursor_secret: "x".repeat(32) },
        kafka: { group_id_prefix: "" },
        accounts: [],
      }),
      {},
    )
    expect(Either.isLeft(parsed)).toBe(true)
    if (Either.isLeft(parsed)) expect(parsed.left.problems.join("\n")).toContain("kafka.group_id_prefix")
  })

  it("on the broker: the producers' transactional ids and the checkpoint reader's group start with the configured prefixes", async () => {
    const suffix = randomUUID().slice(0, 8)
    const groupPrefix = `acme-groups-${suffix}`
    const transactionalPrefix = `acme-tx-${suffix}`
    const { config, accounts } = configWith({
      brokers: [brokers],
      topics: uniqueTopics(),
      partitions: 1,
      transactional_id_prefix: transactionalPrefix,
      group_id_prefix: groupPrefix,
    })
    const account = accounts[0]?.account
    if (!account) throw new Error("no account")

    // The real client, noting every transactional id and consumer group it is asked for, and the groups the
    // broker confirmed a join of.
    const transactionalIds: string[] = []
    const groupIds: string[] = []
    const joined: string[] = []
    const kafka = new (class extends Kafka {
      override producer(producerConfig?: ProducerConfig) {
        if (producerConfig?.transactionalId) transactionalIds.push(producerConfig.transactionalId)
        return super.producer(producerConfig)
      }
      override consumer(consumerConfig: ConsumerConfig) {
        groupIds.push(consumerConfig.groupId)
        const consumer = super.consumer(consumerConfig)
        consumer.on(consumer.events.GROUP_JOIN, (event) => joined.push(event.payload.groupId))
        return consumer
      }
    })(kafkaJsConfig(config.kafka, [brokers]))

    const checkpoint: Checkpoint = {
      version: 1,
      integrated_account_id: account.id,
      integration: "okta",
      filters: {},
      position: { next: "/api/v1/logs?after=1&sortOrder=ASCENDING&limit=40" },
      updated_at: new Date().toISOString(),
      sequence: 1,
      published_total: 0,
      dead_lettered_total: 0,
      gaps: [],
    }
    const read = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          yield* ensureTopics(config.kafka, [])
          const publisher = yield* makeAccountPublisher(account, config.kafka)
          yield* publisher.publish([], checkpoint)
          const store = yield* CheckpointStore
          return yield* store.readShard(0)
        }),
      ).pipe(
        Effect.provide(
          Layer.provideMerge(kafkaCheckpointStore(config.kafka), Layer.succeed(KafkaClient, kafka)),
        ),
      ),
    )
    expect(read.latest.get(account.id)?.sequence).toBe(1)

    expect(transactionalIds).toEqual([`${transactionalPrefix}.${account.id}`])
    expect(groupIds).toHaveLength(1)
    expect(groupIds[0]).toMatch(new RegExp(`^${groupPrefix}\\.checkpoint-reader\\.[0-9a-f-]{36}$`))
    expect(joined).toEqual(groupIds)

    // The throw-away group is deleted after the read.
    const admin = kafkaFor(brokers).admin()
    await admin.connect()
    try {
      const { groups } = await admin.listGroups()
      expect(groups.filter((g) => g.groupId.startsWith(groupPrefix))).toEqual([])
    } finally {
      await admin.disconnect()
    }
  }, 90_000)
})
