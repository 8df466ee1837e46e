import { Context, Data, Effect } from "effect"
import type { ConnectorConfig } from "../config/ConnectorConfig.ts"
import type { KafkaFailure } from "./KafkaFailure.ts"
import {
  AclsMissing,
  type CredentialsStoreTopic,
  type GrantedOperations,
  missingAcls,
  requiredAcls,
} from "./requiredAcls.ts"
import type { PublishStart } from "./retentionProblems.ts"

/**
 * The topics' settings would let the broker delete records the connector is about to publish, refuse its
 * writes, or acknowledge them with fewer replicas than the config requires.
 */
export class TopicsUnsafe extends Data.TaggedError("TopicsUnsafe")<{
  readonly problems: ReadonlyArray<string>
}> {
  override get message() {
    return `refusing to start: the topics' settings cannot keep what the connector publishes:\n${this.problems.map((p) => `  - ${p}`).join("\n")}`
  }
}

/** The checkpoint topic's partition count is not the configured shard count. */
export class ShardCountMismatch extends Data.TaggedError("ShardCountMismatch")<{
  readonly topic: string
  readonly partitions: number
  readonly shards: number
}> {
  override get message() {
    return `refusing to start: the checkpoint topic ${this.topic} has ${this.partitions} partitions, but the shard count is ${this.shards} (kafka.shards, else kafka.partitions). Every instance must run with the topic's partition count; to change the count, see docs/operations.md, "Changing the shard count"`
  }
}

/**
 * What the pipeline asks of the cluster before it streams: its topics, created when missing and their
 * settings checked, and what the connector's principal may do there. Kafka in production
 * (`kafkajs/kafkaAdmin.ts`).
 */
export class KafkaAdmin extends Context.Tag("KafkaAdmin")<
  KafkaAdmin,
  {
    /**
     * Creates the connector's topics when missing, then refuses to go on when their settings would delete
     * what `starts` publish, refuse its writes, or keep fewer replicas than the config requires.
     */
    readonly ensureTopics: (
      config: ConnectorConfig["kafka"],
      starts: ReadonlyArray<PublishStart>,
    ) => Effect.Effect<void, KafkaFailure | ShardCountMismatch | TopicsUnsafe>
    /** What the broker says the principal may do on the resources this config uses. */
    readonly grantedOperations: (
      config: ConnectorConfig["kafka"],
      credentialsStore?: CredentialsStoreTopic,
    ) => Effect.Effect<GrantedOperations, KafkaFailure>
  }
>() {}

export const ensureTopics = (config: ConnectorConfig["kafka"], starts: ReadonlyArray<PublishStart>) =>
  Effect.flatMap(KafkaAdmin, (admin) => admin.ensureTopics(config, starts))

const grantedOperations = (config: ConnectorConfig["kafka"], credentialsStore?: CredentialsStoreTopic) =>
  Effect.flatMap(KafkaAdmin, (admin) => admin.grantedOperations(config, credentialsStore))

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
