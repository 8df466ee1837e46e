import { type ICustomPartitioner, Partitioners } from "kafkajs"

/**
 * kafkajs's default partitioner, its answer for a keyed message kept per topic, key and partition count. It
 * hashes every message's key with a murmur2 whose 32-bit multiplications go through BigInt (kafkajs's `Long`):
 * 3 % of the main thread's busy time in the e2e bench's profile, for a key that is the same for every message
 * of an account. For a keyed message with no partition of its own the answer depends on the key and the topic's
 * partition count alone (`murmur2(key) % partitions`), so it is remembered; everything else is asked of
 * kafkajs's partitioner as before. At most one entry per account and topic.
 */
export const keyPartitioner: ICustomPartitioner = () => {
  const partitioner = Partitioners.DefaultPartitioner()
  const topics = new Map<string, { partitions: number; byKey: Map<string, number> }>()
  return (args) => {
    const { topic, partitionMetadata, message } = args
    if ((message.partition !== null && message.partition !== undefined) || typeof message.key !== "string")
      return partitioner(args)
    let known = topics.get(topic)
    if (known === undefined || known.partitions !== partitionMetadata.length) {
      known = { partitions: partitionMetadata.length, byKey: new Map() }
      topics.set(topic, known)
    }
    let partition = known.byKey.get(message.key)
    if (partition === undefined) {
      partition = partitioner(args)
      known.byKey.set(message.key, partition)
    }
    return partition
  }
}
