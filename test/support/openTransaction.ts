import { randomUUID } from "node:crypto"
import type { Transaction } from "kafkajs"
import { kafkaFor } from "./topics.ts"

/**
 * Another writer's transaction, left open on a topic: what a second connector instance (or a commit that
 * timed out) looks like to the checkpoint reader. Its records hold the partition's last stable offset back
 * until `commit` or `abort`, or until the coordinator aborts it after `timeoutMs`.
 */
export const openTransaction = async (
  brokers: string,
  topic: string,
  records: ReadonlyArray<{ key: string; value: string }>,
  timeoutMs = 30_000,
) => {
  const producer = kafkaFor(brokers).producer({
    transactionalId: `test-foreign-${randomUUID()}`,
    idempotent: true,
    maxInFlightRequests: 1,
    transactionTimeout: timeoutMs,
  })
  await producer.connect()
  const transaction: Transaction = await producer.transaction()
  await transaction.send({ topic, messages: records.map((r) => ({ ...r })) })
  return {
    commit: async () => {
      await transaction.commit()
      await producer.disconnect()
    },
    abort: async () => {
      await transaction.abort()
      await producer.disconnect()
    },
  }
}

/** What a coordinator that aborted a timed-out transaction does: bump the epoch of the transactional id. */
export const bumpEpoch = async (brokers: string, transactionalId: string) => {
  const producer = kafkaFor(brokers).producer({ transactionalId, idempotent: true, maxInFlightRequests: 1 })
  await producer.connect()
  await (await producer.transaction()).abort()
  await producer.disconnect()
}
