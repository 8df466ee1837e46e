import { Data } from "effect"
import type { ConnectorConfig } from "../config/ConnectorConfig.ts"
import { shardGroupId } from "./kafkaNames.ts"

/** The ACL operations the connector uses, with their code in Kafka's AclOperation (the bit in KIP-430's sets). */
export const operationCodes = {
  Read: 3,
  Write: 4,
  Create: 5,
  Delete: 6,
  Describe: 8,
  DescribeConfigs: 10,
} as const
export type AclOperation = keyof typeof operationCodes

export type AclResourceType = "topic" | "group" | "transactional-id"

/** One ACL the connector's principal needs, where it comes from in the config, and why. */
export interface RequiredAcl {
  readonly resourceType: AclResourceType
  /** The topic, or the prefix of the groups or transactional ids. */
  readonly name: string
  readonly pattern: "literal" | "prefixed"
  readonly operation: AclOperation
  /** The config key that names the resource. */
  readonly configKey: string
  readonly why: string
  /** For prefixes: the name asked about, one the connector would use under the prefix. */
  readonly probe: string
  /** Create on a topic is also granted by Create on the cluster. */
  readonly orOnCluster?: boolean
}

/** The names under the prefixes that the check asks about: the shapes the connector uses, never a live one. */
export const aclProbeNames = (config: ConnectorConfig["kafka"]) => ({
  transactionalId: `${config.transactional_id_prefix}.acl-check`,
  checkpointReaderGroup: `${config.group_id_prefix}.checkpoint-reader.acl-check`,
  // The shard group itself: asking about it names it and nothing more (DescribeGroups joins no group).
  shardGroup: shardGroupId(config.group_id_prefix, config.topics.checkpoints),
  credentialsReaderGroup: `${config.group_id_prefix}.credentials-reader.acl-check`,
})

/** `credentials_store`, when configured: its topic and reader groups need ACLs too. */
export interface CredentialsStoreTopic {
  readonly topic: string
}

/**
 * Every ACL `run` needs on the cluster for this config. Topics that do not exist yet need Create (on the topic
 * or the cluster); the others only what is done with them. The transactional ids and the checkpoint readers'
 * groups are named per account and per read, so their ACLs are prefixed. Describe is not listed: Kafka grants
 * it with Read, Write and Delete on the same resource, and each resource here has one of those.
 */
export const requiredAcls = (
  config: ConnectorConfig["kafka"],
  missingTopics: ReadonlySet<string> = new Set(),
  credentialsStore?: CredentialsStoreTopic,
): ReadonlyArray<RequiredAcl> => {
  const probes = aclProbeNames(config)
  const topic = (key: keyof ConnectorConfig["kafka"]["topics"], operations: ReadonlyArray<AclOperation>) => {
    const name = config.topics[key]
    const all: ReadonlyArray<AclOperation> = missingTopics.has(name) ? [...operations, "Create"] : operations
    return all.map(
      (operation): RequiredAcl => ({
        resourceType: "topic",
        name,
        pattern: "literal",
        operation,
        configKey: `kafka.topics.${key}`,
        why: topicWhy[operation],
        probe: name,
        ...(operation === "Create" ? { orOnCluster: true } : {}),
      }),
    )
  }
  const written: ReadonlyArray<AclOperation> = ["Write", "DescribeConfigs"]
  return [
    ...topic("activities", written),
    ...topic("login_failed", written),
    ...topic("dead_letter", written),
    ...(config.ocsf.enabled ? topic("ocsf", written) : []),
    ...topic("checkpoints", ["Read", "Write", "DescribeConfigs"]),
    ...(["Write"] as const).map(
      (operation): RequiredAcl => ({
        resourceType: "transactional-id",
        name: config.transactional_id_prefix,
        pattern: "prefixed",
        operation,
        configKey: "kafka.transactional_id_prefix",
        why: "each shard's transactional producer (<prefix>.shard-<n>, a backfill's <prefix>.backfill.<account id>)",
        probe: probes.transactionalId,
      }),
    ),
    {
      resourceType: "group",
      name: probes.shardGroup,
      pattern: "literal",
      operation: "Read",
      configKey: "kafka.group_id_prefix",
      why: "the instances' shard group, through which Kafka assigns the shards",
      probe: probes.shardGroup,
    },
    ...(["Read", "Delete"] as const).map(
      (operation): RequiredAcl => ({
        resourceType: "group",
        name: `${config.group_id_prefix}.checkpoint-reader.`,
        pattern: "prefixed",
        operation,
        configKey: "kafka.group_id_prefix",
        why:
          operation === "Delete"
            ? "each checkpoint read deletes its throw-away group afterwards"
            : "each checkpoint read joins a throw-away group <prefix>.checkpoint-reader.<uuid>",
        probe: probes.checkpointReaderGroup,
      }),
    ),
    ...(credentialsStore === undefined ? [] : credentialsStoreAcls(config, credentialsStore, missingTopics)),
  ]
}

const credentialsStoreAcls = (
  config: ConnectorConfig["kafka"],
  store: CredentialsStoreTopic,
  missingTopics: ReadonlySet<string>,
): ReadonlyArray<RequiredAcl> => {
  const probes = aclProbeNames(config)
  const why: Partial<Record<AclOperation, string>> = {
    Read: "the first token fetch after a start reads the stored refresh tokens back",
    Write: "a refresh token the provider rotated is written (encrypted) before it is used",
    DescribeConfigs: "its cleanup policy is checked (compacted, no time retention)",
    Create: "it does not exist yet, and the connector creates it",
  }
  const onTopic: ReadonlyArray<AclOperation> = [
    "Read",
    "Write",
    "DescribeConfigs",
    ...(missingTopics.has(store.topic) ? (["Create"] as const) : []),
  ]
  return [
    ...onTopic.map(
      (operation): RequiredAcl => ({
        resourceType: "topic",
        name: store.topic,
        pattern: "literal",
        operation,
        configKey: "credentials_store.topic",
        why: why[operation] ?? "",
        probe: store.topic,
        ...(operation === "Create" ? { orOnCluster: true } : {}),
      }),
    ),
    ...(["Read", "Delete"] as const).map(
      (operation): RequiredAcl => ({
        resourceType: "group",
        name: `${config.group_id_prefix}.credentials-reader.`,
        pattern: "prefixed",
        operation,
        configKey: "kafka.group_id_prefix",
        why:
          operation === "Delete"
            ? "each read of the credentials topic deletes its throw-away group afterwards"
            : "each read of the credentials topic joins a throw-away group <prefix>.credentials-reader.<uuid>",
        probe: probes.credentialsReaderGroup,
      }),
    ),
  ]
}

const topicWhy: Record<AclOperation, string> = {
  Describe: "its metadata and offsets",
  Write: "records are published to it in the accounts' transactions",
  Read: "every start and every resynchronisation reads the checkpoints back",
  DescribeConfigs: "its retention and durability settings are checked at start and before a backfill",
  Create: "it does not exist yet, and the connector creates it",
  Delete: "",
}

/** The `kafka-acls.sh` arguments that grant one ACL (the principal left to the operator). */
export const grantCommand = (acl: RequiredAcl) => {
  const resource =
    acl.resourceType === "topic"
      ? `--topic ${acl.name}`
      : acl.resourceType === "group"
        ? `--group ${acl.name}`
        : `--transactional-id ${acl.name}`
  const pattern = acl.pattern === "prefixed" ? " --resource-pattern-type prefixed" : ""
  return `kafka-acls.sh --add --allow-principal User:<connector> --operation ${acl.operation} ${resource}${pattern}`
}

const describeAcl = (acl: RequiredAcl) => {
  const what =
    acl.resourceType === "topic"
      ? `topic ${acl.name}`
      : acl.resourceType === "group"
        ? `consumer groups prefixed ${acl.name}`
        : `transactional ids prefixed ${acl.name}`
  const cluster = acl.orOnCluster ? " (or Create on the cluster)" : ""
  return `${acl.operation} on ${what}${cluster}, from ${acl.configKey}: ${acl.why}. Grant it: ${grantCommand(acl)}`
}

/** The connector's principal lacks ACLs the config needs: each is named with its config key and the grant. */
export class AclsMissing extends Data.TaggedError("AclsMissing")<{
  readonly missing: ReadonlyArray<RequiredAcl>
}> {
  override get message() {
    return `refusing to start: the connector's Kafka principal lacks ${this.missing.length} ACL${this.missing.length === 1 ? "" : "s"} it needs (docs/configuration.md, "Kafka ACLs"):\n${this.missing.map((acl) => `  - ${describeAcl(acl)}`).join("\n")}`
  }
}

export const isKafkaFailure = (error: { readonly _tag: string }) => error._tag === "KafkaFailure"

/** What the broker says the principal may do, per resource asked about. */
export interface GrantedOperations {
  /** Per topic: the operations allowed on it; empty when not even Describe is. */
  readonly topics: ReadonlyMap<string, ReadonlySet<AclOperation>>
  readonly missingTopics: ReadonlySet<string>
  /** Missing topics the principal may create (Create on the topic or on the cluster). */
  readonly creatable: ReadonlySet<string>
  readonly groups: ReadonlyMap<string, ReadonlySet<AclOperation>>
  readonly transactionalIds: ReadonlyMap<string, ReadonlySet<AclOperation>>
}

/** The required ACLs the granted operations do not cover. */
export const missingAcls = (
  required: ReadonlyArray<RequiredAcl>,
  granted: GrantedOperations,
): ReadonlyArray<RequiredAcl> =>
  required.filter((acl) => {
    const on =
      acl.resourceType === "topic"
        ? granted.topics.get(acl.probe)
        : acl.resourceType === "group"
          ? granted.groups.get(acl.probe)
          : granted.transactionalIds.get(acl.probe)
    const allowed =
      acl.operation === "Create" ? granted.creatable.has(acl.probe) : on?.has(acl.operation) === true
    return !allowed
  })
