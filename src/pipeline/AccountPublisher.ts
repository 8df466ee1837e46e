import { Effect } from "effect"
import type { Producer } from "kafkajs"
import { type ConnectorConfig, durationMs } from "../config/ConnectorConfig.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { OutgoingMessage } from "./ActivityMessages.ts"
import { type Checkpoint, encodeCheckpoint } from "./Checkpoint.ts"
import { KafkaClient, type KafkaFailure, kafkaCall } from "./KafkaClient.ts"
import { transactionalIdFor } from "./kafkaNames.ts"
import { produceBatches } from "./produceBatches.ts"
import { untilWrittenTopicsStable } from "./stableEnd.ts"

/** Record-batch header and request framing kept free under the broker's limit. */
const batchOverhead = 4_096

export interface AccountPublisher {
  /**
   * Publishes a page's messages and the checkpoint after them in one Kafka transaction: all or nothing.
   * Without a checkpoint (a backfill), the page alone is atomic.
   */
  readonly publish: (
    messages: ReadonlyArray<OutgoingMessage>,
    checkpoint: Checkpoint | undefined,
  ) => Effect.Effect<void, KafkaFailure>
  /**
   * A ready producer: after a failure, a new one whose initialisation has aborted any transaction the old one
   * may have left open, so the checkpoint topic can be read to its end again, and the topics it writes to
   * holding no transaction open since before it started.
   */
  readonly ready: Effect.Effect<void, KafkaFailure>
}

/**
 * A transactional, idempotent producer for one account. Starting it initialises the transactional id, which
 * fences any older producer with the same id and aborts the transaction it left open (a killed process).
 * After a failed transaction the producer is rebuilt before the next attempt: kafkajs leaves its
 * transaction state machine in an unusable state after some errors.
 */
export const makeAccountPublisher = (
  account: IntegratedAccount,
  kafkaSettings: ConnectorConfig["kafka"],
  transactionalId = transactionalIdFor(kafkaSettings.transactional_id_prefix, account),
  /** The wait for the written topics to be stable; ActivitySink shares one among all its publishers. */
  writtenTopicsStable: Effect.Effect<void, KafkaFailure, KafkaClient> = untilWrittenTopicsStable(
    kafkaSettings,
  ),
) =>
  Effect.gen(function* () {
    const kafka = yield* KafkaClient
    let producer: Producer | undefined
    const transactionTimeoutMs = durationMs(kafkaSettings.transaction_timeout)
    // Half the transaction timeout: a publish held up by a slow broker is abandoned (and its transaction
    // aborted by the next producer's initialisation) well before the coordinator would abort it and bump the
    // epoch, which the stream would otherwise read as another instance fencing it.
    const publishDeadlineMs = transactionTimeoutMs / 2

    // Uninterruptible: a start-up attempt interrupted while this producer connects (another account's
    // producer failed) must still find it in `producer` and release it, not leave it connected.
    const open = Effect.uninterruptible(
      Effect.gen(function* () {
        if (producer) return producer
        const fresh = kafka.producer({
          transactionalId,
          idempotent: true,
          maxInFlightRequests: 1,
          transactionTimeout: transactionTimeoutMs,
          allowAutoTopicCreation: false,
          // kafkajs otherwise silently drops the idempotent producer's unbounded retries for the client default.
          retry: { retries: 4, initialRetryTime: 300, maxRetryTime: 3_000 },
        })
        yield* kafkaCall("producer connect", () => fresh.connect()).pipe(
          // An empty transaction's abort sends no EndTxn; it runs InitProducerId: the fencing step.
          Effect.zipRight(
            kafkaCall("producer init transactions", async () => (await fresh.transaction()).abort()),
          ),
          // A producer that failed to start is released here: a retried start-up must not leave it connected.
          Effect.tapError(() => Effect.promise(() => fresh.disconnect().catch(() => undefined))),
        )
        producer = fresh
        return fresh
      }),
    )

    // A producer that replaces a failed one writes only once every transaction open on its topics when it
    // started has ended. Initialising it aborts the old producer's transaction, and the coordinator writes the
    // abort markers; but a broker that fenced itself (single node, paused past its session timeout) was seen
    // to lose them. The old page then stayed open on its partition, and the new producer's first commit
    // marker, which ends every open record of the producer id, committed it with its own page: a duplicate.
    // Waiting instead shows the account as retrying ("open transactions hold …") until the transaction ends
    // or an operator aborts it. The first producer skips this: the pipeline waits once for all accounts.
    let unsettled = false
    const openSafely = Effect.gen(function* () {
      const p = yield* open
      if (unsettled) {
        yield* writtenTopicsStable.pipe(Effect.provideService(KafkaClient, kafka))
        unsettled = false
      }
      return p
    })

    const reset = Effect.promise(async () => {
      const stale = producer
      producer = undefined
      unsettled = true
      await stale?.disconnect().catch(() => undefined)
    })

    yield* Effect.addFinalizer(() => reset)
    yield* open

    const publish = (messages: ReadonlyArray<OutgoingMessage>, checkpoint: Checkpoint | undefined) =>
      // The wait for stable topics stays interruptible: only a transaction, once begun, holds shutdown up.
      Effect.flatMap(openSafely, (p) =>
        Effect.gen(function* () {
          const checkpointMessage: OutgoingMessage | undefined = checkpoint && {
            topic: kafkaSettings.topics.checkpoints,
            message: {
              key: account.id,
              value: encodeCheckpoint(checkpoint),
              headers: { "content-type": "application/json" },
            },
          }
          const batches = produceBatches(
            checkpointMessage ? [...messages, checkpointMessage] : messages,
            kafkaSettings.max_message_bytes - batchOverhead,
          )
          yield* kafkaCall("transaction", () =>
            withinDeadline(publishDeadlineMs, async () => {
              const transaction = await p.transaction()
              try {
                // Sequential: each call's records follow the previous ones on their partition.
                for (const batch of batches)
                  await transaction.send({ topic: batch.topic, messages: [...batch.messages] })
                await transaction.commit()
              } catch (error) {
                await transaction.abort().catch(() => undefined)
                throw error
              }
            }),
          )
        }).pipe(
          Effect.tapError(() => reset),
          // Once sent, a transaction is committed or aborted before shutdown proceeds.
          Effect.uninterruptible,
        ),
      )

    return { publish, ready: Effect.asVoid(openSafely) } satisfies AccountPublisher
  })

/**
 * Rejects when `run` has not settled within `ms`. The publish is uninterruptible (a transaction, once sent,
 * is finished before shutdown goes on), so an Effect timeout could not cut it short; this bounds the promise
 * itself. What kafkajs still has in flight dies with the producer, which the caller then replaces.
 */
const withinDeadline = <A>(ms: number, run: () => Promise<A>) =>
  new Promise<A>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`the transaction did not finish within ${Math.round(ms / 1000)} s`)),
      ms,
    )
    run()
      .then(resolve, reject)
      .finally(() => clearTimeout(timer))
  })
