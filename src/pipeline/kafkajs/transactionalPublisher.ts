import { Cause, Deferred, Effect, Exit } from "effect"
import type { Kafka, Producer } from "kafkajs"
import { type ConnectorConfig, durationMs } from "../../config/ConnectorConfig.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import { accountPublisher, type TransactionalPublisher } from "../AccountPublisher.ts"
import type { OutgoingMessage } from "../ActivityMessages.ts"
import { type Checkpoint, encodeCheckpoint } from "../Checkpoint.ts"
import { type FairPermits, makeFairPermits } from "../fairPermits.ts"
import { KafkaFailure } from "../KafkaFailure.ts"
import { transactionalIdFor } from "../kafkaNames.ts"
import { produceBatches, produceRequests } from "../produceBatches.ts"
import { shardCount, shardOf } from "../Shard.ts"
import { pageWeight, transactionGroup, type WaitingPage } from "../transactionGroup.ts"
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
 * transaction open; a turn takes the pages waiting with its own into its transaction (see queuedPublish). Each account's checkpoint goes to its shard's partition of the checkpoint topic.
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
    // Fair permits, not Effect's semaphore: every account of the shard may be waiting for a turn at once.
    const turns = yield* makeFairPermits(1)
    const publish = queuedPublish(turns, turnTaker(slot, readAfter, kafkaSettings))

    return {
      publish,
      ready: (account) =>
        slot.openSafely.pipe(
          Effect.andThen(() => readAfter.set(account.id, slot.generation())),
          Effect.asVoid,
          turns.withPermit,
        ),
    } satisfies TransactionalPublisher
  })

/** The publisher's one producer at a time (makeProducerSlot). */
type ProducerSlot = Effect.Effect.Success<ReturnType<typeof makeProducerSlot>>

/**
 * The turns of a shard's producer: `take(own)` sends `own`'s page and the pages waiting with it (`waiting`) in one
 * transaction; `failedLast` holds the accounts whose last transaction failed.
 */
const turnTaker = (
  slot: ProducerSlot,
  readAfter: ReadonlyMap<string, number>,
  kafkaSettings: ConnectorConfig["kafka"],
) => {
  const shards = shardCount(kafkaSettings)
  // Half the transaction timeout: a publish held up by a slow broker is abandoned (and its transaction
  // aborted by the next producer's initialisation) well before the coordinator would abort it and bump the
  // epoch, which would read as another instance fencing it.
  const publishDeadlineMs = durationMs(kafkaSettings.transaction_timeout) / 2
  /** Pages waiting for a turn, in the order they came; a turn takes its own and those behind it. */
  const waiting: WaitingPublish[] = []
  /** Accounts whose last transaction failed: their next page goes in a transaction of its own. */
  const failedLast = new Set<string>()
  const groupBudget = kafkaSettings.max_message_bytes * pagesBudget

  const inDoubt = new KafkaFailure({
    operation: "transaction",
    cause: new Error(
      "the shard's producer was replaced since this account read its checkpoint (another instance may have published for it meanwhile); reading it again",
    ),
  })

  /**
   * One turn on the producer: the pages of `own`'s group still waiting go out in one transaction. A page
   * whose account read its checkpoint before the producer now in use started fails in doubt instead.
   */
  const take = (own: WaitingPublish) =>
    // The wait for stable topics stays interruptible: only a transaction, once begun, holds shutdown up.
    Effect.flatMap(slot.openSafely, (p) =>
      Effect.suspend(() => {
        const group = transactionGroup(own, waiting, groupBudget, (page) => failedLast.has(page.accountId))
        const pages: WaitingPublish[] = []
        const refused: WaitingPublish[] = []
        for (const page of group) {
          waiting.splice(waiting.indexOf(page), 1)
          page.taken = true
          if (page.checkpoint !== undefined && (readAfter.get(page.account.id) ?? 1) !== slot.generation())
            refused.push(page)
          else pages.push(page)
        }
        const refuse = Effect.forEach(refused, (page) => Deferred.fail(page.done, inDoubt))
        if (pages.length === 0) return refuse
        return sendTransaction(p, transactionRequests(pages, kafkaSettings, shards), publishDeadlineMs).pipe(
          Effect.exit,
          Effect.flatMap((exit) => {
            for (const page of pages)
              if (Exit.isSuccess(exit)) failedLast.delete(page.accountId)
              else failedLast.add(page.accountId)
            const settled = Effect.zipRight(
              refuse,
              Effect.forEach(pages, (page) => Deferred.done(page.done, exit)),
            )
            if (Exit.isSuccess(exit)) return settled
            const error = Cause.failureOption(exit.cause)
            return Effect.sync(() => {
              if (error._tag === "Some" && error.value.fenced) slot.fence(error.value)
            }).pipe(Effect.zipRight(slot.reset), Effect.zipRight(settled))
          }),
          // Once sent, a transaction is committed or aborted before shutdown proceeds.
          Effect.uninterruptible,
        )
      }),
    )

  return { waiting, take }
}

/**
 * A page joins the pages waiting for the producer. Whichever of them gets the next turn takes its own and
 * those behind it into one transaction (group commit): the shard's accounts share the transaction's fixed
 * cost (AddPartitionsToTxn, EndTxn and its markers) instead of paying it one after another. A page taken
 * into another's transaction has its outcome already when its own turn comes, and gives the turn back.
 * Effect has no cross-fiber batching (`RequestResolver` batches within one fiber's requests), hence this.
 */
const queuedPublish =
  (
    turns: FairPermits,
    {
      waiting,
      take,
    }: {
      readonly waiting: WaitingPublish[]
      readonly take: (own: WaitingPublish) => Effect.Effect<unknown, KafkaFailure>
    },
  ) =>
  (
    account: IntegratedAccount,
    messages: ReadonlyArray<OutgoingMessage>,
    checkpoint: Checkpoint | undefined,
  ) =>
    Effect.flatMap(Deferred.make<void, KafkaFailure>(), (done) =>
      // Joining the queue and arranging to leave it are one step: an interrupt between them would leave a
      // page behind that a later turn would publish for a stream that is gone.
      Effect.uninterruptibleMask((restore) =>
        Effect.suspend(() => {
          const own: WaitingPublish = {
            account,
            accountId: account.id,
            messages,
            checkpoint,
            weight: pageWeight(messages),
            done,
            taken: false,
          }
          waiting.push(own)
          const ownTurn = Effect.suspend(() => (own.taken ? Effect.void : take(own))).pipe(
            turns.withPermit,
            Effect.zipRight(Deferred.await(done)),
          )
          // Taken into another's transaction, the page's outcome is known when that one ends, not once the
          // turns queued before its own have gone too.
          return restore(Effect.raceFirst(Deferred.await(done), ownTurn)).pipe(
            Effect.onExit((exit) => {
              // Not taken (its turn failed before a transaction began, or it was interrupted while waiting):
              // it leaves the queue unsent. Taken and interrupted: the transaction's outcome is awaited.
              if (!own.taken)
                return Effect.sync(() => {
                  const at = waiting.indexOf(own)
                  if (at >= 0) waiting.splice(at, 1)
                })
              return Exit.isInterrupted(exit) ? Effect.ignore(Deferred.await(done)) : Effect.void
            }),
          )
        }),
      ),
    )

/** A page waiting for its turn on the shard's producer, and how it ends. */
interface WaitingPublish extends WaitingPage {
  readonly account: IntegratedAccount
  readonly messages: ReadonlyArray<OutgoingMessage>
  readonly checkpoint: Checkpoint | undefined
  readonly done: Deferred.Deferred<void, KafkaFailure>
  /** Taken into a transaction: it will be committed or aborted, and is no longer waiting. */
  taken: boolean
}

/**
 * How much one transaction takes, in multiples of `kafka.max_message_bytes`: two full pages of 1,000 Okta
 * events, or a few hundred small pages of accounts catching up. More would add to each transaction's time
 * against its deadline (half the transaction timeout), and to the buffers kafkajs encodes it into, for little:
 * the fixed cost shared is a few round trips. (1, 4 and 8 made no difference that stood clear of the noise.)
 */
const pagesBudget = 4

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
 * Pages' records, each page followed by its account's checkpoint, as produce requests: batches under the
 * broker's size limit, one batch of a topic per request, so order within a partition holds.
 */
const transactionRequests = (
  pages: ReadonlyArray<{
    readonly account: IntegratedAccount
    readonly messages: ReadonlyArray<OutgoingMessage>
    readonly checkpoint: Checkpoint | undefined
  }>,
  kafkaSettings: ConnectorConfig["kafka"],
  shards: number,
) => {
  const all: OutgoingMessage[] = []
  for (const { account, messages, checkpoint } of pages) {
    for (const message of messages) all.push(message)
    if (checkpoint !== undefined)
      all.push({
        topic: kafkaSettings.topics.checkpoints,
        message: {
          key: account.id,
          // The account's shard, set here: the shard is the partition, whatever a client's partitioner says.
          partition: shardOf(account.id, shards),
          value: encodeCheckpoint(checkpoint),
          headers: { "content-type": "application/json" },
        },
      })
  }
  return produceRequests(produceBatches(all, kafkaSettings.max_message_bytes - batchOverhead))
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
