import { Context, type Effect } from "effect"
import type { Checkpoint } from "./Checkpoint.ts"
import type { KafkaFailure } from "./KafkaFailure.ts"

/** What the checkpoint topic holds, per account, once read to a stable end. */
export interface CheckpointRead {
  readonly latest: ReadonlyMap<string, Checkpoint>
  /**
   * Accounts whose newest checkpoint record does not decode (written by a newer version, or damaged), with
   * the reason. An older checkpoint of the same account that does decode is not used in its place: resuming
   * from it would republish what the newer one had already covered.
   */
  readonly unreadable: ReadonlyMap<string, string>
}

/**
 * Reads the latest checkpoint of every account of a shard (its partition of the checkpoint topic) to a stable
 * end. Kafka in production (`kafkajs/kafkaCheckpointStore.ts`); the stream logic only sees this port, so its
 * unit tests run on an in-memory one.
 */
export class CheckpointStore extends Context.Tag("CheckpointStore")<
  CheckpointStore,
  { readonly readShard: (shard: number) => Effect.Effect<CheckpointRead, KafkaFailure> }
>() {}
