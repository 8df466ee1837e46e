import { Data } from "effect"

/** No configured (and enabled) integrated account has this id. */
export class AccountNotFound extends Data.TaggedError("AccountNotFound")<{
  readonly accountId: string
  readonly message: string
}> {}

/** A request parameter is malformed, not supported by the account's integration, or contradicts the account. */
export class InvalidParameter extends Data.TaggedError("InvalidParameter")<{
  /** The query parameter at fault, as the client spelled it. */
  readonly param: string
  readonly message: string
}> {}
