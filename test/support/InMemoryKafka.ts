import { Effect, Either, Layer, ParseResult } from "effect"
import { ActivitySink } from "../../src/pipeline/ActivitySink.ts"
import { type Checkpoint, decodeCheckpoint, encodeCheckpoint } from "../../src/pipeline/Checkpoint.ts"
import { CheckpointStore } from "../../src/pipeline/CheckpointStore.ts"
import { KafkaFailure } from "../../src/pipeline/KafkaClient.ts"

export interface CommittedRecord {
  readonly topic: string
  readonly key: string | undefined
  readonly value: string
}

export type PublishFault =
  /** No fault: the publish commits, as without any. */
  | { readonly kind: "none" }
  /**
   * The transaction is aborted: nothing of it is visible. If `claimedBy`, another instance took the account
   * over meanwhile, and the failure did not read as fencing (a timeout, say).
   */
  | { readonly kind: "abort"; readonly claimedBy?: string }
  /** The transaction commits, but its answer is lost: the publisher reports a failure. */
  | { readonly kind: "answer_lost" }
  /** Another producer took the transactional id; if `claimedBy`, that instance also claims the account. */
  | { readonly kind: "fenced"; readonly claimedBy?: string }

/**
 * The Kafka side of the pipeline in memory: committed records in order, the latest checkpoint per account,
 * and faults to inject into the next publish. Each publish is atomic, as a Kafka transaction is, so the
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

  const sink = ActivitySink.of({
    publisherFor: (account) =>
      Effect.succeed({
        ready: Effect.void,
        publish: (messages, checkpoint) =>
          Effect.suspend(() => {
            publishes++
            const fault = faults.shift()
            const failure = (why: string, type?: string) =>
              new KafkaFailure({ operation: "transaction", cause: Object.assign(new Error(why), { type }) })
            if ((fault?.kind === "abort" || fault?.kind === "fenced") && fault.claimedBy !== undefined) {
              const current = latest(account.id)
              if (current) {
                checkpoints.set(
                  account.id,
                  encodeCheckpoint({ ...current, owner: fault.claimedBy, sequence: current.sequence + 1 }),
                )
              }
            }
            if (fault?.kind === "abort") return Effect.fail(failure("injected: aborted"))
            if (fault?.kind === "fenced")
              return Effect.fail(failure("injected: fenced", "INVALID_PRODUCER_EPOCH"))
            commit(messages)
            if (checkpoint) checkpoints.set(account.id, encodeCheckpoint(checkpoint))
            return fault?.kind === "answer_lost" ? Effect.fail(failure("injected: answer lost")) : Effect.void
          }),
      }),
  })

  const latest = (accountId: string): Checkpoint | undefined => {
    const encoded = checkpoints.get(accountId)
    if (encoded === undefined) return undefined
    const decoded = decodeCheckpoint(encoded)
    return Either.isRight(decoded) ? decoded.right : undefined
  }

  const store = CheckpointStore.of({
    readAll: Effect.sync(() => {
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
