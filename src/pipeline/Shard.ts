/**
 * The shard an account belongs to: Kafka's own key hash (murmur2, as the Java client's default partitioner and
 * kafkajs's `DefaultPartitioner` compute it) of the account id, modulo the shard count. The shard is the
 * account's partition of the checkpoint topic, and its checkpoints are produced there explicitly, not through
 * a client's partitioner. Being Kafka's own hash, it also matches where a connector that left partitioning to
 * kafkajs put them, and where Kafka's console tools put a copied checkpoint (docs/operations.md, "Changing the shard count").
 */
export const shardOf = (accountId: string, shards: number): number =>
  (murmur2(Buffer.from(accountId, "utf8")) & 0x7fffffff) % shards

/** Kafka's murmur2 (org.apache.kafka.common.utils.Utils#murmur2), in 32-bit integer arithmetic. */
const murmur2 = (data: Uint8Array): number => {
  const length = data.length
  const m = 0x5bd1e995
  let h = 0x9747b28c ^ length
  const whole = length & ~3
  for (let i = 0; i < whole; i += 4) {
    let k =
      (data[i] ?? 0) | ((data[i + 1] ?? 0) << 8) | ((data[i + 2] ?? 0) << 16) | ((data[i + 3] ?? 0) << 24)
    k = Math.imul(k, m)
    k ^= k >>> 24
    k = Math.imul(k, m)
    h = Math.imul(h, m) ^ k
  }
  const rest = length % 4
  if (rest >= 3) h ^= (data[whole + 2] ?? 0) << 16
  if (rest >= 2) h ^= (data[whole + 1] ?? 0) << 8
  if (rest >= 1) h = Math.imul(h ^ (data[whole] ?? 0), m)
  h ^= h >>> 13
  h = Math.imul(h, m)
  h ^= h >>> 15
  return h | 0
}

/** The deployment's shard count: `kafka.shards`, else the partition count topics are created with. */
export const shardCount = (kafka: { readonly shards?: number | undefined; readonly partitions: number }) =>
  kafka.shards ?? kafka.partitions
