import { Context, Effect, Layer, type Scope, Stream } from "effect"
import type { KafkaFailure } from "./KafkaFailure.ts"

/** What the group says this instance holds. */
export type ShardAssignment =
  /** The group is rebalancing (or this member dropped out of it): hold nothing until the next assignment. */
  | { readonly _tag: "Rebalancing" }
  /** This member's shards (partitions of the checkpoint topic) for the group's new generation. */
  | { readonly _tag: "Assigned"; readonly shards: ReadonlyArray<number> }

/**
 * Which shards this instance holds: the instances form one consumer group over the checkpoint topic, and the
 * partitions the group assigns an instance are its shards. Kafka in production (`kafkajs/kafkaShardGroup.ts`);
 * a fixed assignment in tests of the stream logic.
 */
export class ShardGroup extends Context.Tag("ShardGroup")<
  ShardGroup,
  {
    /**
     * Joins the group for the scope and tells every change of assignment, in order; leaves the group when the
     * scope closes. Fails when the membership ends for good (the client gave up restarting its consumer).
     */
    readonly join: Effect.Effect<Stream.Stream<ShardAssignment, KafkaFailure>, KafkaFailure, Scope.Scope>
  }
>() {
  /** Every shard, at once and for good: one instance alone, without a group. */
  static readonly fixed = (shards: ReadonlyArray<number>) =>
    Layer.succeed(
      ShardGroup,
      ShardGroup.of({
        join: Effect.succeed(
          Stream.concat(Stream.succeed<ShardAssignment>({ _tag: "Assigned", shards }), Stream.never),
        ),
      }),
    )
}
