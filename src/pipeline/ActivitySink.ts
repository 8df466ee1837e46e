import { Context, Effect, Layer, type Scope } from "effect"
import type { ConnectorConfig } from "../config/ConnectorConfig.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import { KafkaClient, type KafkaFailure } from "./kafkajs/KafkaClient.ts"
import { untilWrittenTopicsStable } from "./kafkajs/stableEnd.ts"
import {
  type AccountPublisher,
  makeAccountPublisher,
  makeTransactionalPublisher,
  type TransactionalPublisher,
} from "./kafkajs/transactionalPublisher.ts"
import { shardTransactionalId } from "./kafkaNames.ts"
import { nextReadShared } from "./nextReadShared.ts"

/**
 * Where pages and checkpoints go: one transactional producer per shard, shared by the shard's accounts, each
 * page atomic with the checkpoint after it (and a producer of its own for a backfill). Kafka in production;
 * the stream logic only sees this port, so its unit tests run on an in-memory one.
 */
export class ActivitySink extends Context.Tag("ActivitySink")<
  ActivitySink,
  {
    /**
     * The shard's producer, ready, released with the scope. Starting it fences the shard's previous holder
     * (transactional id `<prefix>.shard-<n>`); its first transaction waits until the topics it writes to hold
     * no transaction that holder left open.
     */
    readonly shardPublisher: (
      shard: number,
    ) => Effect.Effect<TransactionalPublisher, KafkaFailure, Scope.Scope>
    /** A ready publisher of its own for `account` (a backfill's), released with the scope. */
    readonly publisherFor: (
      account: IntegratedAccount,
      transactionalId?: string,
    ) => Effect.Effect<AccountPublisher, KafkaFailure, Scope.Scope>
  }
>() {
  static readonly kafka = (config: ConnectorConfig["kafka"]) =>
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
}
