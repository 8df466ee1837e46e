import { randomUUID } from "node:crypto"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"

// Every transactional id and consumer group the connector uses is built here, from the config's
// `kafka.transactional_id_prefix` and `kafka.group_id_prefix`, so one prefixed ACL of each kind covers them
// all (README, "Kafka ACLs").

/** One per account stream, stable across restarts, so a restarted or duplicate instance fences the old one. */
export const transactionalIdFor = (prefix: string, account: IntegratedAccount) => `${prefix}.${account.id}`

/** A backfill's own, apart from the live stream's: the two never fence each other. */
export const backfillTransactionalIdFor = (prefix: string, account: IntegratedAccount) =>
  `${prefix}.backfill.${account.id}`

/**
 * A throw-away group for one checkpoint read (kafkajs has no `assign()`). A UUID rather than a clock reading:
 * two readers started in the same millisecond (several accounts resynchronising at once) must never join the
 * same group and split the partitions between them.
 */
export const checkpointReaderGroupId = (prefix: string) => `${prefix}.checkpoint-reader.${randomUUID()}`

/** `tail`'s throw-away group: it positions itself by `seek` and commits nothing. */
export const tailGroupId = (prefix: string) => `${prefix}.tail.${randomUUID()}`

/** A throw-away group for one read of the credentials topic (`credentials_store`), as the checkpoint reader's. */
export const credentialsReaderGroupId = (prefix: string) => `${prefix}.credentials-reader.${randomUUID()}`
