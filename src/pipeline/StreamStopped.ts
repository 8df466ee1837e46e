import { Data } from "effect"

// Why an account stream stops for good instead of retrying: no retry can mend these.

/**
 * The account's newest checkpoint in Kafka does not decode (a newer connector version wrote it, or it is
 * damaged). Resuming from an older one would republish history, and starting over would too: an operator
 * has to look.
 */
export class CheckpointUnreadable extends Data.TaggedError("CheckpointUnreadable")<{
  readonly message: string
}> {}
