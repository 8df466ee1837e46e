import { randomUUID } from "node:crypto"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"

// Every transactional id and consumer group the connector uses is built here, from the config's
// `kafka.transactional_id_prefix` and `kafka.group_id_prefix`, so one prefixed ACL of each kind covers them
// all (docs/configuration.md, "Kafka ACLs").

/** One per account stream, stable across restarts, so a restarted or duplicate instance fences the old one. */
export const transactionalIdFor = (prefix: string, account: IntegratedAccount) => `${prefix}.${account.id}`

/**
 * One per shard, stable across restarts and instances: whichever instance holds the shard initialises it, which
 * fences the shard's previous holder and aborts the transaction it left open.
 */
export const shardTransactionalId = (prefix: string, shard: number) => `${prefix}.shard-${shard}`

/**
 * The group the instances form over the checkpoint topic: its assignment of the topic's partitions is which
 * instance holds which shard. Named after the topic as well: the deployment is the set of instances sharing
 * it, and two deployments under one prefix must not rebalance each other (kafkajs's assigners hand out the
 * leader's topics to every member, whatever each subscribed to).
 */
export const shardGroupId = (prefix: string, checkpointTopic: string) => `${prefix}.shards.${checkpointTopic}`

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
