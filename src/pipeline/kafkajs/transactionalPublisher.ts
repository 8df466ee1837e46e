import { Effect } from "effect"
import type { Kafka, Producer } from "kafkajs"
import { type ConnectorConfig, durationMs } from "../../config/ConnectorConfig.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import { accountPublisher, type TransactionalPublisher } from "../AccountPublisher.ts"
import type { OutgoingMessage } from "../ActivityMessages.ts"
import { type Checkpoint, encodeCheckpoint } from "../Checkpoint.ts"
import { KafkaFailure } from "../KafkaFailure.ts"
import { transactionalIdFor } from "../kafkaNames.ts"
import { produceBatches, produceRequests } from "../produceBatches.ts"
import { shardCount, shardOf } from "../Shard.ts"
import { KafkaClient, kafkaCall, letGo } from "./KafkaClient.ts"
import { keyPartitioner } from "./keyPartitioner.ts"
import { untilWrittenTopicsStable } from "./stableEnd.ts"

/** Record-batch header and request framing kept free under the broker's limit. */
const batchOverhead = 4_096

/** A producer of its own for one account (a backfill's). */
export const makeAccountPublisher = (
  account: IntegratedAccount,
  kafkaSettings: ConnectorConfig["kafka"],
  transactionalId = transactionalIdFor(kafkaSettings.transactional_id_prefix, account),
  writtenTopicsStable: Effect.Effect<void, KafkaFailure, KafkaClient> = untilWrittenTopicsStable(
    kafkaSettings,
  ),
) =>
  Effect.map(makeTransactionalPublisher(transactionalId, kafkaSettings, writtenTopicsStable), (shared) =>
    accountPublisher(shared, account),
  )

/**
 * A transactional, idempotent producer. Starting it initialises the transactional id, which fences any older
 * producer with the same id and aborts the transaction it left open (a killed process, the shard's previous
 * holder). After a failed transaction the producer is rebuilt before the next attempt: kafkajs leaves its
 * transaction state machine in an unusable state after some errors. Once fenced it is never rebuilt: the
 * transactional id belongs to another producer now, and initialising it again would fence that one; every
 * later call fails as fenced, for the owner of the publisher to stop using it.
 *
 * Transactions take turns (one permit): several accounts share the producer, and a producer has at most one
 * transaction open. Each account's checkpoint goes to its shard's partition of the checkpoint topic.
 */
export const makeTransactionalPublisher = (
  transactionalId: string,
  kafkaSettings: ConnectorConfig["kafka"],
  /** The wait for the written topics to be stable; ActivitySink shares one among all its publishers. */
  writtenTopicsStable: Effect.Effect<void, KafkaFailure, KafkaClient> = untilWrittenTopicsStable(
    kafkaSettings,
  ),
  options: {
    /**
     * The first producer waits for the written topics to be stable too, before its first transaction: a shard's
     * producer takes over from another instance's, whose transaction may still be open.
     */
    readonly settleFirst?: boolean
  } = {},
) =>
  Effect.gen(function* () {
    const slot = yield* makeProducerSlot(transactionalId, kafkaSettings, writtenTopicsStable, options)
    /** Per account, the producer after whose initialisation it last read its checkpoint (default: the first). */
    const readAfter = new Map<string, number>()
    const turns = yield* Effect.makeSemaphore(1)
    const shards = shardCount(kafkaSettings)
    // Half the transaction timeout: a publish held up by a slow broker is abandoned (and its transaction
    // aborted by the next producer's initialisation) well before the coordinator would abort it and bump the
    // epoch, which would read as another instance fencing it.
    const publishDeadlineMs = durationMs(kafkaSettings.transaction_timeout) / 2

    const publish = (
      account: IntegratedAccount,
      messages: ReadonlyArray<OutgoingMessage>,
      checkpoint: Checkpoint | undefined,
    ) =>
      // The wait for stable topics stays interruptible: only a transaction, once begun, holds shutdown up.
      Effect.flatMap(slot.openSafely, (p) =>
        checkpoint !== undefined && (readAfter.get(account.id) ?? 1) !== slot.generation()
          ? Effect.fail(
              new KafkaFailure({
                operation: "transaction",
                cause: new Error(
                  "the shard's producer was replaced since this account read its checkpoint (another instance may have published for it meanwhile); reading it again",
                ),
              }),
            )
          : sendTransaction(
              p,
              transactionRequests(account, messages, checkpoint, kafkaSettings, shards),
              publishDeadlineMs,
            ).pipe(
              Effect.tapError((error) =>
                Effect.zipRight(
                  Effect.sync(() => {
                    if (error.fenced) slot.fence(error)
                  }),
                  slot.reset,
                ),
              ),
              // Once sent, a transaction is committed or aborted before shutdown proceeds.
              Effect.uninterruptible,
            ),
      ).pipe(turns.withPermits(1))

    return {
      publish,
      ready: (account) =>
        slot.openSafely.pipe(
          Effect.andThen(() => readAfter.set(account.id, slot.generation())),
          Effect.asVoid,
          turns.withPermits(1),
        ),
    } satisfies TransactionalPublisher
  })

/**
 * A new transactional producer, connected and initialised: its InitProducerId fences any older producer of the
 * transactional id and aborts the transaction it left open. One that fails to start is released.
 */
const startProducer = (kafka: Kafka, transactionalId: string, transactionTimeoutMs: number) =>
  Effect.gen(function* () {
    const fresh = kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: transactionTimeoutMs,
      allowAutoTopicCreation: false,
      createPartitioner: keyPartitioner,
      // kafkajs otherwise silently drops the idempotent producer's unbounded retries for the client default.
      retry: { retries: 4, initialRetryTime: 300, maxRetryTime: 3_000 },
    })
    yield* kafkaCall("producer connect", () => fresh.connect()).pipe(
      // An empty transaction's abort sends no EndTxn; it runs InitProducerId: the fencing step.
      Effect.zipRight(
        kafkaCall("producer init transactions", async () => (await fresh.transaction()).abort()),
      ),
      // A producer that failed to start is released here: a retried start-up must not leave it connected.
      Effect.tapError(() => letGo(fresh)),
    )
    return fresh
  })

/**
 * A page's records and the account's checkpoint after them, as produce requests: batches under the broker's
 * size limit, one batch of a topic per request, so order within a partition holds.
 */
const transactionRequests = (
  account: IntegratedAccount,
  messages: ReadonlyArray<OutgoingMessage>,
  checkpoint: Checkpoint | undefined,
  kafkaSettings: ConnectorConfig["kafka"],
  shards: number,
) => {
  const checkpointMessage: OutgoingMessage | undefined = checkpoint && {
    topic: kafkaSettings.topics.checkpoints,
    message: {
      key: account.id,
      // The account's shard, set here: the shard is the partition, whatever a client's partitioner says.
      partition: shardOf(account.id, shards),
      value: encodeCheckpoint(checkpoint),
      headers: { "content-type": "application/json" },
    },
  }
  return produceRequests(
    produceBatches(
      checkpointMessage ? [...messages, checkpointMessage] : messages,
      kafkaSettings.max_message_bytes - batchOverhead,
    ),
  )
}

/** One transaction: every request, then the commit; an abort on any failure. */
const sendTransaction = (
  producer: Producer,
  requests: ReturnType<typeof transactionRequests>,
  deadlineMs: number,
) =>
  kafkaCall(
    "transaction",
    async () => {
      const transaction = await producer.transaction()
      try {
        // Sequential: each request's records follow the previous ones on their partition. The checkpoint may
        // go out before the page's last records: the commit makes them visible together.
        for (const request of requests)
          await transaction.sendBatch({
            acks: -1,
            topicMessages: request.map((batch) => ({ topic: batch.topic, messages: [...batch.messages] })),
          })
        await transaction.commit()
      } catch (error) {
        await transaction.abort().catch(() => undefined)
        throw error
      }
    },
    // What kafkajs still has in flight after this dies with the producer, which is replaced.
    deadlineMs,
  )

/**
 * The publisher's one producer at a time: started on first use, replaced after a failure (waiting first for the
 * written topics to be stable), never again once fenced. Released when the scope closes.
 */
const makeProducerSlot = (
  transactionalId: string,
  kafkaSettings: ConnectorConfig["kafka"],
  writtenTopicsStable: Effect.Effect<void, KafkaFailure, KafkaClient>,
  options: { readonly settleFirst?: boolean },
) =>
  Effect.gen(function* () {
    const kafka = yield* KafkaClient
    let producer: Producer | undefined
    let fenced: KafkaFailure | undefined
    /** How many producers this publisher has initialised: 1 is the one the shard's take-on read follows. */
    let generation = 0
    const transactionTimeoutMs = durationMs(kafkaSettings.transaction_timeout)

    // Uninterruptible: a start-up attempt interrupted while this producer connects must still find it in
    // `producer` and release it, not leave it connected.
    const open = Effect.uninterruptible(
      Effect.gen(function* () {
        if (fenced) return yield* Effect.fail(fenced)
        if (producer) return producer
        const fresh = yield* startProducer(kafka, transactionalId, transactionTimeoutMs)
        producer = fresh
        generation += 1
        return fresh
      }),
    )

    // A producer that replaces a failed one writes only once every transaction open on its topics when it
    // started has ended. Initialising it aborts the old producer's transaction, and the coordinator writes the
    // abort markers; but a broker that fenced itself (single node, paused past its session timeout) was seen
    // to lose them. The old page then stayed open on its partition, and the new producer's first commit
    // marker, which ends every open record of the producer id, committed it with its own page: a duplicate.
    // Waiting instead shows the account as retrying ("open transactions hold …") until the transaction ends
    // or an operator aborts it.
    let unsettled = options.settleFirst ?? false
    const openSafely = Effect.gen(function* () {
      const p = yield* open
      if (unsettled) {
        yield* writtenTopicsStable.pipe(Effect.provideService(KafkaClient, kafka))
        unsettled = false
      }
      return p
    })

    const reset = Effect.suspend(() => {
      const stale = producer
      producer = undefined
      unsettled = true
      // Bounded: the shard's other accounts wait for their turn behind this one.
      return stale ? letGo(stale) : Effect.void
    })

    yield* Effect.addFinalizer(() => reset)
    yield* open
    return {
      openSafely,
      reset,
      /** How many producers were initialised so far: 1 is the one the shard's take-on read follows. */
      generation: () => generation,
      fence: (error: KafkaFailure) => {
        fenced = error
      },
    }
  })
