import { Effect, Layer, Queue, Stream } from "effect"
import kafkajs from "kafkajs"
import { type ConnectorConfig, durationMs } from "../../config/ConnectorConfig.ts"
import { KafkaFailure } from "../KafkaFailure.ts"
import { shardGroupId } from "../kafkaNames.ts"
import { type ShardAssignment, ShardGroup } from "../ShardGroup.ts"
import { KafkaClient, kafkaCall, letGo, quietly } from "./KafkaClient.ts"

// kafkajs is CommonJS and Node's static analysis of it misses this export, so it is read off the default.
const { PartitionAssigners } = kafkajs

/** The shard group on kafkajs: a consumer group over the checkpoint topic (`joinShardGroup`). */
export const kafkaShardGroup = (config: ConnectorConfig["kafka"]) =>
  Layer.effect(
    ShardGroup,
    Effect.map(KafkaClient, (client) =>
      ShardGroup.of({ join: joinShardGroup(config).pipe(Effect.provideService(KafkaClient, client)) }),
    ),
  )

/**
 * kafkajs's consumer used for membership only: it subscribes to the checkpoint topic, pauses it as soon as it
 * is assigned partitions (so it fetches nothing: checkpoints are read by a throw-away reader when a shard is
 * taken on), and is left running for its heartbeats. A paused consumer still heartbeats: with no partition to
 * fetch, kafkajs sleeps `maxWaitTimeInMs` and heartbeats, so both are set to a tenth of the session timeout.
 *
 * kafkajs implements only the eager rebalance protocol and has no callback before it rejoins: REBALANCING is
 * emitted when a heartbeat learns of a rebalance, and kafkajs rejoins at once. GROUP_JOIN follows with the new
 * assignment. A member the coordinator expelled (UNKNOWN_MEMBER_ID) rejoins without a REBALANCING event, and a
 * crashed consumer leaves the group before kafkajs restarts it: both read as a rebalance here.
 */
const joinShardGroup = (config: ConnectorConfig["kafka"]) =>
  Effect.gen(function* () {
    const kafka = yield* KafkaClient
    const topic = config.topics.checkpoints
    const sessionTimeout = durationMs(config.group_session_timeout)
    const beat = Math.max(500, Math.floor(sessionTimeout / 10))
    const events = yield* Queue.unbounded<ShardAssignment | KafkaFailure>()
    const consumer = kafka.consumer({
      groupId: shardGroupId(config.group_id_prefix, topic),
      sessionTimeout,
      heartbeatInterval: beat,
      maxWaitTimeInMs: beat,
      // How long the coordinator waits for every member to rejoin: members rejoin within a heartbeat.
      rebalanceTimeout: sessionTimeout,
      partitionAssigners: [PartitionAssigners.roundRobin],
      allowAutoTopicCreation: false,
    })
    const offer = (event: ShardAssignment | KafkaFailure) => {
      void Effect.runPromise(Queue.offer(events, event))
    }
    consumer.on(consumer.events.REBALANCING, () => offer({ _tag: "Rebalancing" }))
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      // Before the consumer's next fetch: listeners are called synchronously, and the pause does not outlive
      // a crash (kafkajs builds a new group member then), so it is renewed on every join.
      consumer.pause([{ topic }])
      const shards = [...(event.payload.memberAssignment[topic] ?? [])].sort((a, b) => a - b)
      offer({ _tag: "Assigned", shards })
    })
    consumer.on(consumer.events.CRASH, (event) => {
      offer({ _tag: "Rebalancing" })
      if (!event.payload.restart)
        offer(new KafkaFailure({ operation: "shard group membership", cause: event.payload.error }))
    })
    yield* Effect.acquireRelease(
      kafkaCall("shard group join", async () => {
        await consumer.connect()
        await consumer.subscribe({ topic, fromBeginning: false })
        await consumer.run({ autoCommit: false, eachBatch: async () => undefined })
      }).pipe(Effect.tapError(() => letGo(consumer))),
      // Leaves the group: the others rebalance at once instead of after the session timeout.
      () => quietly("shard group leave", () => consumer.disconnect()),
    )
    return Stream.fromQueue(events).pipe(
      Stream.mapEffect((event) =>
        event instanceof KafkaFailure ? Effect.fail(event) : Effect.succeed(event),
      ),
    )
  })
