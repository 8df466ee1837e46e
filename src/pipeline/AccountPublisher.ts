import type { Effect } from "effect"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { OutgoingMessage } from "./ActivityMessages.ts"
import type { Checkpoint } from "./Checkpoint.ts"
import type { KafkaFailure } from "./KafkaFailure.ts"

export interface AccountPublisher {
  /**
   * Publishes a page's messages and the checkpoint after them in one Kafka transaction: all or nothing.
   * Without a checkpoint (a backfill), the page alone is atomic.
   */
  readonly publish: (
    messages: ReadonlyArray<OutgoingMessage>,
    checkpoint: Checkpoint | undefined,
  ) => Effect.Effect<void, KafkaFailure>
  /**
   * A ready producer: after a failure, a new one whose initialisation has aborted any transaction the old one
   * may have left open, so the checkpoint topic can be read to its end again, and the topics it writes to
   * holding no transaction open since before it started. The account's next checkpoint is accepted only if
   * its checkpoint was read after this call (see `TransactionalPublisher`).
   */
  readonly ready: Effect.Effect<void, KafkaFailure>
}

/**
 * One transactional producer shared by several accounts (a shard's): their transactions take turns on it.
 *
 * A page's checkpoint is published only for an account whose checkpoint was read after the producer in use
 * was initialised: at the shard's take-on (after its first producer), or after `ready(account)`. When the
 * producer is replaced (after a failed publish of any account), its initialisation may have fenced another
 * instance that held the shard meanwhile and published pages of every account of it; an account that did not
 * fail itself would otherwise go on from its checkpoint in memory and publish those pages again. Its publish
 * fails instead, in doubt (not fenced), and the stream reads its checkpoint again before the next page.
 */
export interface TransactionalPublisher {
  readonly publish: (
    account: IntegratedAccount,
    messages: ReadonlyArray<OutgoingMessage>,
    checkpoint: Checkpoint | undefined,
  ) => Effect.Effect<void, KafkaFailure>
  /** A ready producer; `account`'s checkpoint, read after this, is its state for the producer now in use. */
  readonly ready: (account: IntegratedAccount) => Effect.Effect<void, KafkaFailure>
}

/** What one account of a shared producer sees. */
export const accountPublisher = (
  shared: TransactionalPublisher,
  account: IntegratedAccount,
): AccountPublisher => ({
  publish: (messages, checkpoint) => shared.publish(account, messages, checkpoint),
  ready: shared.ready(account),
})
