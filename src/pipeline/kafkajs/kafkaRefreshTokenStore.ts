import { Effect, Layer, Option, type Redacted, SynchronizedRef } from "effect"
import type { Producer } from "kafkajs"
import { RefreshTokenStore, type RefreshTokenStoreShape } from "../../auth/RefreshTokenStore.ts"
import {
  type CredentialsStoreKey,
  chooseRefreshToken,
  sealRefreshToken,
} from "../../auth/sealedRefreshToken.ts"
import type { ConnectorConfig } from "../../config/ConnectorConfig.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import { ProviderUnavailable } from "../../http/ProviderError.ts"
import { KafkaFailure } from "../KafkaFailure.ts"
import { credentialsReaderGroupId } from "../kafkaNames.ts"
import { KafkaClient, kafkaCall, quietly } from "./KafkaClient.ts"
import { readCompactedToEnds } from "./readCompactedToEnds.ts"
import { checkpointTopicSettings, describeTopicRetention } from "./Topics.ts"

export type CredentialsStoreConfig = NonNullable<ConnectorConfig["credentials_store"]>

/** The store's broker failures reach the stream as a provider being unavailable: retried, shown in /healthz. */
const unavailable = (account: IntegratedAccount, what: string) => (error: KafkaFailure) =>
  new ProviderUnavailable({
    integration: account.integration,
    message: `the credentials store could not ${what}: ${error.message}`,
  })

/**
 * Creates the credentials topic when missing, compacted like the checkpoint topic (only the latest token per
 * account matters, for as long as the account exists), and refuses a topic that would delete by time: the
 * stored token would be gone at the next start, and the configured one long since invalidated.
 */
const ensureCredentialsTopic = (kafka: ConnectorConfig["kafka"], topic: string) =>
  Effect.gen(function* () {
    const client = yield* KafkaClient
    const admin = client.admin()
    return yield* Effect.acquireUseRelease(
      kafkaCall("admin connect", () => admin.connect()),
      () =>
        Effect.gen(function* () {
          const existing = yield* kafkaCall("list topics", () => admin.listTopics())
          if (!existing.includes(topic)) {
            const durability =
              kafka.min_insync_replicas === undefined
                ? []
                : [{ name: "min.insync.replicas", value: String(kafka.min_insync_replicas) }]
            yield* kafkaCall("create the credentials topic", () =>
              admin.createTopics({
                waitForLeaders: true,
                topics: [
                  {
                    topic,
                    numPartitions: kafka.partitions,
                    replicationFactor: kafka.replication_factor,
                    configEntries: [...checkpointTopicSettings, ...durability],
                  },
                ],
              }),
            )
            yield* Effect.logInfo("created topics").pipe(Effect.annotateLogs({ topics: [topic] }))
          }
          const retention = (yield* describeTopicRetention(admin, [topic])).get(topic)
          const deletes = retention?.cleanupPolicy.includes("delete") && retention.retentionMs !== -1
          return retention?.cleanupPolicy.includes("compact") === true && !deletes
        }),
      () => quietly("admin disconnect", () => admin.disconnect()),
    )
  })

/** Every record of the topic up to its end when the read starts, newest per key (a tombstone removes it). */
const readToEnd = (groupIdPrefix: string, topic: string) =>
  Effect.gen(function* () {
    const client = yield* KafkaClient
    const admin = client.admin()
    const offsets = yield* Effect.acquireUseRelease(
      kafkaCall("admin connect", () => admin.connect()),
      () => kafkaCall(`fetch the offsets of ${topic}`, () => admin.fetchTopicOffsets(topic)),
      () => quietly("admin disconnect", () => admin.disconnect()),
    )
    const pending = new Map<number, bigint>()
    for (const o of offsets) if (BigInt(o.high) > BigInt(o.low)) pending.set(o.partition, BigInt(o.high))
    // No transactions write here, so the high watermark is the end to read to.
    return yield* readCompactedToEnds({
      topic,
      groupId: credentialsReaderGroupId(groupIdPrefix),
      ends: pending,
      decode: (value) => value,
      what: "read the credentials topic",
      within: "60 seconds",
    })
  })

/**
 * The credentials topic as a `RefreshTokenStore`: read to its end once, at the first token an account needs
 * (a broker away at start delays only that, retried by the stream); each rotated token written, acknowledged
 * by all in-sync replicas, before the connector sends it. Records hold ciphertext only (see
 * `sealedRefreshToken`). The topic is read once per process: it assumes one process refreshes an account's
 * token at a time (`run`, whose instances the transactional fencing keeps single); a `backfill`, `serve` or
 * `check-config` refreshing beside it races it for the token (README, "Rotated refresh tokens").
 */
export const kafkaRefreshTokenStore = (
  kafka: ConnectorConfig["kafka"],
  store: CredentialsStoreConfig,
): Layer.Layer<RefreshTokenStore, never, KafkaClient> =>
  Layer.scoped(
    RefreshTokenStore,
    Effect.gen(function* () {
      const client = yield* KafkaClient
      const key: CredentialsStoreKey = store.key
      const topic = store.topic
      const loaded = yield* SynchronizedRef.make(Option.none<Map<string, string>>())
      const producer = yield* SynchronizedRef.make(Option.none<Producer>())
      yield* Effect.addFinalizer(() =>
        SynchronizedRef.get(producer).pipe(
          Effect.flatMap(
            Option.match({
              onNone: () => Effect.void,
              onSome: (p) => quietly("credentials producer disconnect", () => p.disconnect()),
            }),
          ),
        ),
      )

      /** The topic read once; a failed read is tried again by the next caller. */
      const records = SynchronizedRef.modifyEffect(loaded, (current) =>
        Option.match(current, {
          onSome: (map) => Effect.succeed([map, current] as const),
          onNone: () =>
            Effect.gen(function* () {
              const safe = yield* ensureCredentialsTopic(kafka, topic)
              if (!safe) {
                return yield* new KafkaFailure({
                  operation: "check the credentials topic",
                  cause: new Error(
                    `topic ${topic} (credentials_store.topic) must be compacted without time retention (cleanup.policy=compact): a deleted token cannot be recovered`,
                  ),
                })
              }
              const map = yield* readToEnd(kafka.group_id_prefix, topic)
              yield* Effect.logInfo("credentials store read").pipe(
                Effect.annotateLogs({ topic, accounts: map.size }),
              )
              return [map, Option.some(map)] as const
            }).pipe(Effect.provideService(KafkaClient, client)),
        }),
      )

      const connectedProducer = SynchronizedRef.modifyEffect(producer, (current) =>
        Option.match(current, {
          onSome: (p) => Effect.succeed([p, current] as const),
          onNone: () => {
            const p = client.producer({ idempotent: true, maxInFlightRequests: 1 })
            return kafkaCall("credentials producer connect", () => p.connect()).pipe(
              Effect.as([p, Option.some(p)] as const),
            )
          },
        }),
      )

      const shape: RefreshTokenStoreShape = {
        persistent: true,
        refreshTokenFor: (account, configured) =>
          Effect.gen(function* () {
            const map = yield* records.pipe(Effect.mapError(unavailable(account, `read ${topic}`)))
            const chosen = chooseRefreshToken(
              key,
              account.id,
              configured,
              Option.fromNullable(map.get(account.id)),
            )
            if (chosen.passedOver !== undefined) {
              yield* Effect.logWarning(
                chosen.passedOver === "other-configured-token"
                  ? "the stored refresh token descends from another configured one; sending the configured one"
                  : "the stored refresh token cannot be opened with credentials_store.key; sending the configured one (if the provider refuses it, re-authorise the account)",
              ).pipe(Effect.annotateLogs({ account: account.id, topic }))
            }
            return chosen.token
          }),
        save: (account: IntegratedAccount, configured, rotated: Redacted.Redacted<string>) =>
          Effect.gen(function* () {
            const map = yield* records
            const value = sealRefreshToken(key, account.id, configured, rotated)
            const p = yield* connectedProducer
            yield* kafkaCall("write a rotated refresh token", () =>
              p.send({ topic, acks: -1, messages: [{ key: account.id, value }] }),
            )
            map.set(account.id, value)
            yield* Effect.logInfo("stored a rotated refresh token").pipe(
              Effect.annotateLogs({ account: account.id, topic }),
            )
          }).pipe(Effect.mapError(unavailable(account, `write ${topic}`))),
      }
      return RefreshTokenStore.make(shape)
    }),
  )
