import { Deferred, Effect, Either, Layer, ParseResult } from "effect"
import { accountPublisher, type TransactionalPublisher } from "../../src/pipeline/AccountPublisher.ts"
import { ActivitySink } from "../../src/pipeline/ActivitySink.ts"
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint } from "../../src/pipeline/Checkpoint.ts"
import { CheckpointStore } from "../../src/pipeline/CheckpointStore.ts"
import { KafkaFailure } from "../../src/pipeline/KafkaFailure.ts"

export interface CommittedRecord {
  readonly topic: string
  readonly key: string | undefined
  readonly value: string
}

export type PublishFault =
  /** No fault: the publish commits, as without any. */
  | { readonly kind: "none" }
  /** The transaction is aborted: nothing of it is visible (a timeout, say). */
  | { readonly kind: "abort" }
  /** The transaction commits, but its answer is lost: the publisher reports a failure. */
  | { readonly kind: "answer_lost" }
  /** Another producer took the (shard's) transactional id: this publish and every later one fail as fenced. */
  | { readonly kind: "fenced" }
  /** The transaction stays in flight until `until` is done, then commits (`none`) or is aborted (`abort`). */
  | { readonly kind: "held"; readonly until: Deferred.Deferred<void>; readonly outcome: "none" | "abort" }

/**
 * The Kafka side of the pipeline in memory: committed records in order, the latest checkpoint per account,
 * one shared producer (a shard's: every account publishes through it), and faults to inject into the next
 * publish. Each publish is atomic, as a Kafka transaction is, so the
 * stream logic can be tested for what it promises without a broker and with `TestClock`.
 */
export const makeInMemoryKafka = () => {
  const records: CommittedRecord[] = []
  const checkpoints = new Map<string, string>()
  const faults: PublishFault[] = []
  let publishes = 0

  const commit = (messages: ReadonlyArray<{ topic: string; message: { key?: unknown; value: unknown } }>) => {
    for (const { topic, message } of messages)
      records.push({
        topic,
        key: message.key === undefined ? undefined : String(message.key),
        value: String(message.value),
      })
  }

  const failure = (why: string, type?: string) =>
    new KafkaFailure({ operation: "transaction", cause: Object.assign(new Error(why), { type }) })
  const fencedFailure = () => failure("injected: fenced", "INVALID_PRODUCER_EPOCH")
  /** A new producer each time, as the shard's after a restart: one fenced stays fenced. */
  const makePublisher = (): TransactionalPublisher => {
    let fenced = false
    return {
      ready: () => Effect.suspend(() => (fenced ? Effect.fail(fencedFailure()) : Effect.void)),
      publish: (account, messages, checkpoint) =>
        Effect.suspend(() => {
          publishes++
          if (fenced) return Effect.fail(fencedFailure())
          const next = faults.shift()
          if (next?.kind === "held")
            return Effect.zipRight(
              Deferred.await(next.until),
              Effect.suspend(() => {
                if (next.outcome === "abort") return Effect.fail(failure("injected: aborted"))
                commit(messages)
                if (checkpoint) checkpoints.set(account.id, encodeCheckpoint(checkpoint))
                return Effect.void
              }),
            )
          const fault = next
          if (fault?.kind === "abort") return Effect.fail(failure("injected: aborted"))
          if (fault?.kind === "fenced") {
            fenced = true
            return Effect.fail(fencedFailure())
          }
          commit(messages)
          if (checkpoint) checkpoints.set(account.id, encodeCheckpoint(checkpoint))
          return fault?.kind === "answer_lost" ? Effect.fail(failure("injected: answer lost")) : Effect.void
        }),
    }
  }
  const sink = ActivitySink.of({
    shardPublisher: () => Effect.sync(makePublisher),
    publisherFor: (account) => Effect.sync(() => accountPublisher(makePublisher(), account)),
  })

  const latest = (accountId: string): Checkpoint | undefined => {
    const encoded = checkpoints.get(accountId)
    if (encoded === undefined) return undefined
    const decoded = decodeCheckpoint(encoded)
    return Either.isRight(decoded) ? decoded.right : undefined
  }

  const store = CheckpointStore.of({
    readShard: () =>
      Effect.sync(() => {
        const read = new Map<string, Checkpoint>()
        const unreadable = new Map<string, string>()
        for (const [key, encoded] of checkpoints) {
          const decoded = decodeCheckpoint(encoded)
          if (Either.isRight(decoded)) read.set(key, decoded.right)
          else unreadable.set(key, ParseResult.TreeFormatter.formatErrorSync(decoded.left))
        }
        return { latest: read, unreadable }
      }),
  })

  return {
    layer: Layer.merge(Layer.succeed(ActivitySink, sink), Layer.succeed(CheckpointStore, store)),
    records,
    /** Committed activity ids of a topic, in order. */
    idsOn: (topic: string) =>
      records.filter((r) => r.topic === topic).map((r) => (JSON.parse(r.value) as { id: string }).id),
    latest,
    /** Faults for the next publishes, in order. */
    inject: (...next: PublishFault[]) => faults.push(...next),
    publishes: () => publishes,
  }
}
