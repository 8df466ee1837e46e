import { Data } from "effect"

// Why an account stream stops for good instead of retrying: no retry can mend these.

/** Another connector instance claimed the account after this one's producer was fenced. */
export class AccountOwnedElsewhere extends Data.TaggedError("AccountOwnedElsewhere")<{
  readonly owner: string
  readonly message: string
}> {}

/**
 * The account's newest checkpoint in Kafka does not decode (a newer connector version wrote it, or it is
 * damaged). Resuming from an older one would republish history, and starting over would too: an operator
 * has to look.
 */
export class CheckpointUnreadable extends Data.TaggedError("CheckpointUnreadable")<{
  readonly message: string
}> {}
