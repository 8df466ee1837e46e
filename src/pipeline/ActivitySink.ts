import { Context, type Effect, type Scope } from "effect"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { AccountPublisher, TransactionalPublisher } from "./AccountPublisher.ts"
import type { KafkaFailure } from "./KafkaFailure.ts"

/**
 * Where pages and checkpoints go: one transactional producer per shard, shared by the shard's accounts, each
 * page atomic with the checkpoint after it (and a producer of its own for a backfill). Kafka in production
 * (`kafkajs/kafkaActivitySink.ts`); the stream logic only sees this port, so its unit tests run on an
 * in-memory one.
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
>() {}
