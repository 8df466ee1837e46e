import { Data } from "effect"

/**
 * The Kafka protocol error types in a kafkajs error and the errors it wraps. kafkajs's retrier wraps a
 * non-retriable protocol error (a fenced producer's INVALID_PRODUCER_EPOCH among them) in a
 * KafkaJSNonRetriableError that has no `type` of its own, and exhausted retries in
 * KafkaJSNumberOfRetriesExceeded: the type is on the `cause` then. kafkajs 2.2 predates PRODUCER_FENCED
 * (code 90, KIP-588): it reports it as KAFKAJS_UNKNOWN_ERROR_CODE "Unknown error code 90", named here.
 */
export const protocolErrorTypes = (error: unknown): ReadonlyArray<string> => {
  const types: string[] = []
  let current = error as { type?: unknown; message?: unknown; cause?: unknown } | undefined
  for (let depth = 0; current !== undefined && current !== null && depth < 5; depth++) {
    const type =
      current.type === "KAFKAJS_UNKNOWN_ERROR_CODE" && current.message === "Unknown error code 90"
        ? "PRODUCER_FENCED"
        : current.type
    if (typeof type === "string" && !types.includes(type)) types.push(type)
    if (current.cause === current) break
    current = current.cause as typeof current
  }
  return types
}

/** A call to the Kafka cluster failed: what every Kafka port fails with, whichever client is behind it. */
export class KafkaFailure extends Data.TaggedError("KafkaFailure")<{
  readonly operation: string
  readonly cause: unknown
}> {
  override get message() {
    const cause = this.cause as { message?: string } | undefined
    const types = protocolErrorTypes(this.cause)
    return `kafka ${this.operation} failed: ${types.length > 0 ? `${types.join(" ")} ` : ""}${cause?.message ?? String(this.cause)}`
  }
  /**
   * The broker fenced this producer: its epoch is stale, because another producer initialised the same
   * transactional id (another instance) or because the coordinator aborted a transaction that outlived the
   * transaction timeout. Which of the two it was, the stream finds out before it stops (see AccountStream).
   */
  get fenced(): boolean {
    return protocolErrorTypes(this.cause).some(
      (type) => type === "INVALID_PRODUCER_EPOCH" || type === "PRODUCER_FENCED",
    )
  }
}
