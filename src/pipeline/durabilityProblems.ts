import type { ConnectorConfig } from "../config/ConnectorConfig.ts"

/** A topic's settings that decide whether a write acknowledged by all in-sync replicas is durable, or possible. */
export interface TopicDurability {
  readonly topic: string
  /** The fewest replicas of any of its partitions. */
  readonly replicationFactor: number
  /** The effective `min.insync.replicas` (the topic's own, else the broker's default). */
  readonly minInsyncReplicas: number
}

const fixCommand = (topic: string, config: string) =>
  `kafka-configs.sh --bootstrap-server … --alter --entity-type topics --entity-name ${topic} --add-config ${config}`

/**
 * What would keep the connector's transactional, acks=all writes from holding: a topic whose
 * `min.insync.replicas` exceeds its replicas refuses every write (NOT_ENOUGH_REPLICAS, for ever); one with fewer
 * replicas, or a lower `min.insync.replicas`, than `kafka.replication_factor` / `kafka.min_insync_replicas` ask
 * for acknowledges writes that fewer brokers hold than the operator required. One line per topic at fault.
 */
export const durabilityProblems = (
  topics: ReadonlyArray<TopicDurability>,
  config: Pick<ConnectorConfig["kafka"], "replication_factor" | "min_insync_replicas">,
): ReadonlyArray<string> =>
  [...new Map(topics.map((t) => [t.topic, t])).values()].flatMap((t) => {
    const faults: string[] = []
    if (t.minInsyncReplicas > t.replicationFactor)
      faults.push(
        `has min.insync.replicas=${t.minInsyncReplicas} but ${t.replicationFactor} replica(s): every write would be refused (NOT_ENOUGH_REPLICAS). Fix: lower it (${fixCommand(t.topic, `min.insync.replicas=${t.replicationFactor}`)}) or add replicas (kafka-reassign-partitions.sh)`,
      )
    if (config.replication_factor !== -1 && t.replicationFactor < config.replication_factor)
      faults.push(
        `has ${t.replicationFactor} replica(s), fewer than kafka.replication_factor=${config.replication_factor}. Fix: add replicas (kafka-reassign-partitions.sh), or lower kafka.replication_factor`,
      )
    if (config.min_insync_replicas !== undefined && t.minInsyncReplicas < config.min_insync_replicas)
      faults.push(
        `has min.insync.replicas=${t.minInsyncReplicas}, fewer than kafka.min_insync_replicas=${config.min_insync_replicas}: a write would be acknowledged by fewer brokers than required. Fix: ${fixCommand(t.topic, `min.insync.replicas=${config.min_insync_replicas}`)}`,
      )
    return faults.map((fault) => `topic ${t.topic} ${fault}`)
  })
