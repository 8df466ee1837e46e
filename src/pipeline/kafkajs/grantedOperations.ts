import { createRequire } from "node:module"
import { Data, Effect, Schedule } from "effect"
import type { Kafka } from "kafkajs"
import { type ConnectorConfig, durationMs } from "../../config/ConnectorConfig.ts"
import { shardGroupId } from "../kafkaNames.ts"
import { KafkaClient, KafkaFailure, kafkaCall, letGo, protocolErrorTypes } from "./KafkaClient.ts"

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

const operationsIn = (bits: number): ReadonlySet<AclOperation> =>
  new Set(
    (Object.entries(operationCodes) as ReadonlyArray<[AclOperation, number]>)
      .filter(([, code]) => (bits & (1 << code)) !== 0)
      .map(([operation]) => operation),
  )

/** Kafka's "authorized operations not asked for / unknown" (INT32_MIN). */
const operationsUnknown = -2147483648

const errorCodes = {
  none: 0,
  unknownTopic: 3,
  topicAuthorizationFailed: 29,
  groupAuthorizationFailed: 30,
  transactionalIdAuthorizationFailed: 53,
} as const

/**
 * Asks the broker which operations the principal may do (KIP-430): Metadata v8 with the topics' authorized
 * operations, and DescribeGroups v3 with the group's. kafkajs asks neither (it stops at
 * Metadata v6 and DescribeGroups v2), so the two requests are encoded here with kafkajs' own protocol encoder
 * and sent on its authenticated connections (TLS and SASL as configured). Transactional ids have no such
 * question: FindCoordinator needs Describe on the id, and InitProducerId Write. Nor has Create on a missing
 * topic: CreateTopics is asked, validate-only.
 */
export const grantedOperations = (
  config: ConnectorConfig["kafka"],
  credentialsStore?: CredentialsStoreTopic,
) =>
  Effect.gen(function* () {
    const kafka = yield* KafkaClient
    const probes = aclProbeNames(config)
    const topicNames = [
      ...new Set([
        ...Object.values(config.topics).filter((t) => config.ocsf.enabled || t !== config.topics.ocsf),
        ...(credentialsStore === undefined ? [] : [credentialsStore.topic]),
      ]),
    ]
    return yield* Effect.acquireUseRelease(
      kafkaCall("connect for the ACL check", async () => {
        const cluster = createCluster(kafka)
        await cluster.connect()
        // The brokers' addresses, for reaching the coordinators FindCoordinator names.
        await cluster.refreshMetadata()
        return cluster
      }),
      (cluster) =>
        Effect.gen(function* () {
          const metadata = yield* kafkaCall("ask for the topics' authorized operations", () =>
            cluster.brokerPool.seedBroker.connectionPool.send(metadataV8(topicNames)),
          ).pipe(untilCoordinatorsReady)
          const topics = new Map<string, ReadonlySet<AclOperation>>()
          const missingTopics = new Set<string>()
          for (const topic of metadata.topics) {
            if (topic.errorCode === errorCodes.topicAuthorizationFailed) {
              // No Describe, so neither Read nor Write (each grants Describe), and no answer on whether the
              // topic exists (Create is asked about once Describe is granted). DescribeConfigs stands alone.
              const configs = yield* kafkaCall(`describe topic ${topic.name}'s configs`, () =>
                describesConfigs(cluster, topic.name),
              )
              topics.set(topic.name, new Set(configs ? (["DescribeConfigs"] as const) : []))
              continue
            }
            if (topic.errorCode === errorCodes.unknownTopic) missingTopics.add(topic.name)
            else if (topic.errorCode !== errorCodes.none)
              return yield* new KafkaFailure({
                operation: `ask for topic ${topic.name}'s authorized operations`,
                cause: protocolError(topic.errorCode),
              })
            topics.set(topic.name, operationsOf(topic.authorizedOperations))
          }
          // The cluster's operations are shown only to a principal with Describe on the cluster, which the
          // connector does not need: Create is asked of CreateTopics itself, validate-only.
          const creatable = new Set<string>()
          for (const topic of missingTopics) {
            const allowed = yield* kafkaCall(`validate creating topic ${topic}`, () =>
              createsTopic(cluster, topic, config),
            )
            if (allowed) creatable.add(topic)
          }
          const groupIds = [probes.shardGroup, probes.checkpointReaderGroup]
          if (credentialsStore !== undefined) groupIds.push(probes.credentialsReaderGroup)
          const groups = new Map<string, ReadonlySet<AclOperation>>()
          for (const groupId of groupIds)
            groups.set(
              groupId,
              yield* kafkaCall(`ask for group ${groupId}'s authorized operations`, () =>
                groupOperations(cluster, groupId),
              ).pipe(untilCoordinatorsReady),
            )
          const transactional = yield* kafkaCall(`probe transactional id ${probes.transactionalId}`, () =>
            transactionalIdOperations(cluster, probes.transactionalId, config),
          ).pipe(untilCoordinatorsReady)
          return {
            topics,
            missingTopics,
            creatable,
            groups,
            transactionalIds: new Map([[probes.transactionalId, transactional]]),
          } satisfies GrantedOperations
        }),
      (cluster) => letGo(cluster),
    )
  })

const allOperations: ReadonlySet<AclOperation> = new Set(Object.keys(operationCodes) as AclOperation[])

/** A broker that does not report the set (no authorizer information) is taken to allow everything. */
const operationsOf = (bits: number) => (bits === operationsUnknown ? allOperations : operationsIn(bits))

/** A coordinator still loading or moving (the first group or transactional id of a new cluster) is waited for. */
const transientTypes: ReadonlySet<string> = new Set([
  "GROUP_LOAD_IN_PROGRESS",
  "GROUP_COORDINATOR_NOT_AVAILABLE",
  "NOT_COORDINATOR_FOR_GROUP",
  "LEADER_NOT_AVAILABLE",
])
const untilCoordinatorsReady = <A, R>(effect: Effect.Effect<A, KafkaFailure, R>) =>
  effect.pipe(
    Effect.retry({
      schedule: Schedule.exponential("100 millis").pipe(Schedule.intersect(Schedule.recurs(8))),
      while: (error) => protocolErrorTypes(error.cause).some((type) => transientTypes.has(type)),
    }),
  )

/**
 * Refuses to go on when the principal lacks an ACL this config needs, naming each one. Run once at start,
 * before the topics are created: a missing ACL then reads as what it is, not as a failure of the first call
 * that needs it. On a cluster without an authorizer every operation is allowed, and the check passes.
 */
export const checkKafkaAcls = (config: ConnectorConfig["kafka"], credentialsStore?: CredentialsStoreTopic) =>
  Effect.gen(function* () {
    const granted = yield* grantedOperations(config, credentialsStore)
    const required = requiredAcls(config, granted.missingTopics, credentialsStore)
    const missing = missingAcls(required, granted)
    if (missing.length > 0) return yield* new AclsMissing({ missing })
    yield* Effect.logDebug("Kafka ACLs checked").pipe(Effect.annotateLogs({ acls: required.length }))
  })

const groupOperations = async (
  cluster: KafkajsCluster,
  groupId: string,
): Promise<ReadonlySet<AclOperation>> => {
  let coordinator: KafkajsBroker
  try {
    coordinator = await coordinatorOf(cluster, groupId, 0)
  } catch (error) {
    if (protocolErrorTypes(error).includes("GROUP_AUTHORIZATION_FAILED")) return new Set()
    throw error
  }
  const { groups } = await coordinator.connectionPool.send(describeGroupsV3([groupId]))
  const group = groups.find((g) => g.groupId === groupId)
  if (group === undefined || group.errorCode === errorCodes.groupAuthorizationFailed) return new Set()
  if (group.errorCode !== errorCodes.none) throw protocolError(group.errorCode)
  return group.authorizedOperations === operationsUnknown
    ? allOperations
    : operationsIn(group.authorizedOperations)
}

/**
 * Describe: FindCoordinator for the id. Write: InitProducerId for it, which registers the probe id with the
 * transaction coordinator (it expires after `transactional.id.expiration.ms` unused, 7 days by default); it
 * is never used for a transaction, and no account's id is touched, so no running producer is fenced.
 */
const transactionalIdOperations = async (
  cluster: KafkajsCluster,
  transactionalId: string,
  config: ConnectorConfig["kafka"],
): Promise<ReadonlySet<AclOperation>> => {
  let coordinator: KafkajsBroker
  try {
    coordinator = await coordinatorOf(cluster, transactionalId, 1)
  } catch (error) {
    if (protocolErrorTypes(error).includes("TRANSACTIONAL_ID_AUTHORIZATION_FAILED")) return new Set()
    throw error
  }
  try {
    await coordinator.initProducerId({
      transactionalId,
      transactionTimeout: durationMs(config.transaction_timeout),
    })
  } catch (error) {
    if (protocolErrorTypes(error).includes("TRANSACTIONAL_ID_AUTHORIZATION_FAILED"))
      return new Set(["Describe"])
    throw error
  }
  return new Set(["Describe", "Write"])
}

/** Whether DescribeConfigs on the topic is allowed (the request is authorized on its own, apart from Describe). */
const describesConfigs = async (cluster: KafkajsCluster, topic: string) => {
  try {
    await cluster.brokerPool.seedBroker.describeConfigs({
      resources: [{ type: topicResourceType, name: topic, configNames: ["cleanup.policy"] }],
    })
    return true
  } catch (error) {
    const types = protocolErrorTypes(error)
    if (types.includes("TOPIC_AUTHORIZATION_FAILED")) return false
    // Authorized, and the topic does not exist yet.
    if (types.includes("UNKNOWN_TOPIC_OR_PARTITION")) return true
    throw error
  }
}

/** Whether CreateTopics, validate-only, is allowed for the topic: Create on it or on the cluster. Creates nothing. */
const createsTopic = async (cluster: KafkajsCluster, topic: string, config: ConnectorConfig["kafka"]) => {
  try {
    await cluster.brokerPool.seedBroker.createTopics({
      topics: [{ topic, numPartitions: config.partitions, replicationFactor: config.replication_factor }],
      validateOnly: true,
      timeout: durationMs(config.request_timeout),
    })
    return true
  } catch (error) {
    // kafkajs reports CreateTopics' per-topic errors as an aggregate of them.
    const types = ((error as { errors?: ReadonlyArray<unknown> }).errors ?? [error]).flatMap(
      protocolErrorTypes,
    )
    if (types.includes("TOPIC_AUTHORIZATION_FAILED") || types.includes("CLUSTER_AUTHORIZATION_FAILED"))
      return false
    // Authorized, and refused for another reason (created meanwhile, a replication factor the cluster cannot
    // hold): that is for the topic check after this one to say.
    if (types.length > 0) return true
    throw error
  }
}

/** ConfigResource type TOPIC in DescribeConfigs. */
const topicResourceType = 2

/**
 * FindCoordinator asked of the seed broker itself: kafkajs' cluster-level lookup swallows the broker's answer
 * (an authorization failure included) into "Failed to find group coordinator".
 */
const coordinatorOf = async (cluster: KafkajsCluster, key: string, coordinatorType: 0 | 1) => {
  const { coordinator } = await cluster.brokerPool.seedBroker.findGroupCoordinator({
    groupId: key,
    coordinatorType,
  })
  return cluster.findBroker({ nodeId: coordinator.nodeId })
}

// kafkajs' protocol encoder and decoder: CommonJS internals without types, of the pinned kafkajs 2.2.4.
const kafkajsModule = createRequire(import.meta.url)
const Decoder: unknown = kafkajsModule("kafkajs/src/protocol/decoder")
const Encoder: unknown = kafkajsModule("kafkajs/src/protocol/encoder")
const { createErrorFromCode } = kafkajsModule("kafkajs/src/protocol/error") as {
  createErrorFromCode(code: number): Error & { type: string }
}
/** kafkajs' error for a protocol error code, with its `type` (GROUP_LOAD_IN_PROGRESS, …). */
const protocolError = (code: number) => createErrorFromCode(code)

interface KafkajsDecoder {
  readInt16(): number
  readInt32(): number
  readString(): string
  readBoolean(): boolean
  readBytes(): Buffer
  readArray<T>(reader: (decoder: KafkajsDecoder) => T): T[]
}
interface KafkajsEncoder {
  writeArray(values: ReadonlyArray<string>): KafkajsEncoder
  writeBoolean(value: boolean): KafkajsEncoder
}
const newDecoder = (buffer: Buffer) => new (Decoder as unknown as new (b: Buffer) => KafkajsDecoder)(buffer)
const newEncoder = () => new (Encoder as unknown as new () => KafkajsEncoder)()

interface MetadataV8 {
  readonly topics: ReadonlyArray<{ errorCode: number; name: string; authorizedOperations: number }>
}

/** Metadata v8 (Kafka 2.3+): the v7 request with include_cluster/topic_authorized_operations (topics only). */
const metadataV8 = (topics: ReadonlyArray<string>) => ({
  request: {
    apiKey: 3,
    apiVersion: 8,
    apiName: "Metadata",
    encode: async () =>
      newEncoder().writeArray(topics).writeBoolean(false).writeBoolean(false).writeBoolean(true),
  },
  response: {
    decode: async (raw: Buffer): Promise<MetadataV8> => {
      const d = newDecoder(raw)
      d.readInt32() // throttle_time_ms
      d.readArray((b) => {
        b.readInt32()
        b.readString()
        b.readInt32()
        b.readString() // rack, nullable
      })
      d.readString() // cluster_id
      d.readInt32() // controller_id
      const topics = d.readArray((t) => {
        const errorCode = t.readInt16()
        const name = t.readString()
        t.readBoolean() // is_internal
        t.readArray((p) => {
          p.readInt16()
          p.readInt32()
          p.readInt32()
          p.readInt32() // leader_epoch
          p.readArray((r) => r.readInt32())
          p.readArray((r) => r.readInt32())
          p.readArray((r) => r.readInt32())
        })
        return { errorCode, name, authorizedOperations: t.readInt32() }
      })
      d.readInt32() // cluster_authorized_operations, not asked for
      return { topics }
    },
    parse: async (data: MetadataV8) => data,
  },
})

interface DescribeGroupsV3 {
  readonly groups: ReadonlyArray<{ errorCode: number; groupId: string; authorizedOperations: number }>
}

/** DescribeGroups v3 (Kafka 2.3+): the v2 request with include_authorized_operations. */
const describeGroupsV3 = (groupIds: ReadonlyArray<string>) => ({
  request: {
    apiKey: 15,
    apiVersion: 3,
    apiName: "DescribeGroups",
    encode: async () => newEncoder().writeArray(groupIds).writeBoolean(true),
  },
  response: {
    decode: async (raw: Buffer): Promise<DescribeGroupsV3> => {
      const d = newDecoder(raw)
      d.readInt32() // throttle_time_ms
      const groups = d.readArray((g) => {
        const errorCode = g.readInt16()
        const groupId = g.readString()
        g.readString() // group_state
        g.readString() // protocol_type
        g.readString() // protocol_data
        g.readArray((m) => {
          m.readString()
          m.readString()
          m.readString()
          m.readBytes()
          m.readBytes()
        })
        return { errorCode, groupId, authorizedOperations: g.readInt32() }
      })
      return { groups }
    },
    parse: async (data: DescribeGroupsV3) => data,
  },
})

interface KafkajsBroker {
  readonly connectionPool: {
    send<R>(protocol: {
      request: object
      response: { decode(raw: Buffer): Promise<R>; parse(d: R): Promise<R> }
    }): Promise<R>
  }
  initProducerId(args: { transactionalId: string; transactionTimeout: number }): Promise<unknown>
  createTopics(args: {
    topics: ReadonlyArray<{ topic: string; numPartitions: number; replicationFactor: number }>
    validateOnly: boolean
    timeout: number
  }): Promise<unknown>
  describeConfigs(args: {
    resources: ReadonlyArray<{ type: number; name: string; configNames: ReadonlyArray<string> }>
  }): Promise<unknown>
  findGroupCoordinator(args: {
    groupId: string
    coordinatorType: 0 | 1
  }): Promise<{ coordinator: { nodeId: number } }>
}
interface KafkajsCluster {
  connect(): Promise<void>
  disconnect(): Promise<void>
  readonly brokerPool: { readonly seedBroker: KafkajsBroker }
  refreshMetadata(): Promise<void>
  findBroker(args: { nodeId: number }): Promise<KafkajsBroker>
}

/** kafkajs' own cluster factory, as `highWatermarks` reaches it: connections with the client's TLS and SASL. */
const createCluster = (kafka: Kafka): KafkajsCluster => {
  const factory = Object.getOwnPropertySymbols(kafka).find(
    (symbol) => symbol.description === "private:Kafka:createCluster",
  )
  const create = factory && (kafka as unknown as Record<symbol, unknown>)[factory]
  if (typeof create !== "function") throw new Error("this kafkajs version has no cluster factory")
  return (create as (options: object) => KafkajsCluster)({ allowAutoTopicCreation: false })
}
