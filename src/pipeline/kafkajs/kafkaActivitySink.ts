import { Effect, Layer } from "effect"
import type { ConnectorConfig } from "../../config/ConnectorConfig.ts"
import { ActivitySink } from "../ActivitySink.ts"
import { shardTransactionalId } from "../kafkaNames.ts"
import { nextReadShared } from "../nextReadShared.ts"
import { KafkaClient } from "./KafkaClient.ts"
import { untilWrittenTopicsStable } from "./stableEnd.ts"
import { makeAccountPublisher, makeTransactionalPublisher } from "./transactionalPublisher.ts"

/** The activity sink on kafkajs: a transactional producer per shard, and one per backfill. */
export const kafkaActivitySink = (config: ConnectorConfig["kafka"]) =>
  Layer.scoped(
    ActivitySink,
    Effect.gen(function* () {
      const client = yield* KafkaClient
      // Producers started or replaced together (after a rebalance or a broker outage) share the next wait.
      const writtenTopicsStable = yield* nextReadShared(
        untilWrittenTopicsStable(config).pipe(Effect.provideService(KafkaClient, client)),
        yield* Effect.scope,
      )
      return ActivitySink.of({
        shardPublisher: (shard) =>
          makeTransactionalPublisher(
            shardTransactionalId(config.transactional_id_prefix, shard),
            config,
            writtenTopicsStable,
            { settleFirst: true },
          ).pipe(Effect.provideService(KafkaClient, client)),
        publisherFor: (account, transactionalId) =>
          makeAccountPublisher(account, config, transactionalId, writtenTopicsStable).pipe(
            Effect.provideService(KafkaClient, client),
          ),
      })
    }),
  )
