import { createRequire } from "node:module"
import { Effect, Schedule } from "effect"
import type { Kafka } from "kafkajs"
import { type ConnectorConfig, durationMs } from "../../config/ConnectorConfig.ts"
import { KafkaFailure, protocolErrorTypes } from "../KafkaFailure.ts"
import {
  type AclOperation,
  aclProbeNames,
  type CredentialsStoreTopic,
  type GrantedOperations,
  operationCodes,
} from "../requiredAcls.ts"
import { KafkaClient, kafkaCall, letGo } from "./KafkaClient.ts"

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
