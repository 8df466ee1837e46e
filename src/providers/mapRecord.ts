import { Either, ParseResult, Schema } from "effect"
import type { Activity } from "../domain/Activity.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { AnyActivityStream } from "./ActivityStream.ts"

export type { FailedSignIn } from "./ActivityStream.ts"

/** A provider record that could not become an Activity, with the reason; it goes to the dead-letter topic. */
export interface RejectedRecord {
  readonly raw: unknown
  readonly stage: "decode" | "map"
  readonly reason: string
}

/** What mapping needs of a stream: its raw record schema and `toActivity`. */
export type RecordMapping = Pick<AnyActivityStream, "record" | "toActivity" | "failedSignIns">

/** decode raw → map to Activity: the one step every consumer of a page (endpoint, pipeline) shares. */
export const mapRecord = (
  stream: RecordMapping,
  account: IntegratedAccount,
  raw: unknown,
): Either.Either<Activity, RejectedRecord> => {
  // Undeclared provider fields are not needed here: remote_data carries the raw record whole.
  const decoded = Schema.decodeUnknownEither(stream.record)(raw)
  if (Either.isLeft(decoded)) {
    return Either.left({
      raw,
      stage: "decode",
      reason: ParseResult.TreeFormatter.formatErrorSync(decoded.left),
    })
  }
  return stream.toActivity(decoded.right, account).pipe(
    // remote_data is the record exactly as the provider sent it, not the decoded form.
    Either.map((activity): Activity => ({ ...activity, remote_data: raw as object })),
    Either.mapLeft((failure) => ({ raw, stage: "map" as const, reason: failure.reason })),
  )
}
