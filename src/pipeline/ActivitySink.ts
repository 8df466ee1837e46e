import { Context, Effect, Layer, type Scope } from "effect"
import type { ConnectorConfig } from "../config/ConnectorConfig.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import { type AccountPublisher, makeAccountPublisher } from "./AccountPublisher.ts"
import { KafkaClient, type KafkaFailure } from "./KafkaClient.ts"
import { nextReadShared } from "./nextReadShared.ts"
import { untilWrittenTopicsStable } from "./stableEnd.ts"

/**
 * Where an account's pages and checkpoints go: one publisher per account stream, each page atomic with the
 * checkpoint after it. Kafka in production; the stream logic only sees this port, so its unit tests run on
 * an in-memory one.
 */
export class ActivitySink extends Context.Tag("ActivitySink")<
  ActivitySink,
  {
    /** A ready publisher for `account`, released with the scope. `transactionalId`: the stream's by default. */
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
        // Producers replaced together (after a broker outage, all of them) share the next wait.
        const writtenTopicsStable = yield* nextReadShared(
          untilWrittenTopicsStable(config).pipe(Effect.provideService(KafkaClient, client)),
          yield* Effect.scope,
        )
        return ActivitySink.of({
          publisherFor: (account, transactionalId) =>
            makeAccountPublisher(account, config, transactionalId, writtenTopicsStable).pipe(
              Effect.provideService(KafkaClient, client),
            ),
        })
      }),
    )
}
