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

/**
 * The last decode of each raw record object, by schema: routing asks again for a failed sign-in's details
 * (failedSignIn.ts), and a second decode of the same object would cost as much as the first. Weakly held: an
 * entry lives as long as its page's records do.
 */
const lastDecoded = new WeakMap<
  object,
  { readonly schema: unknown; readonly result: Either.Either<unknown, ParseResult.ParseError> }
>()

/** The raw record decoded with the stream's record schema; the same object decoded twice costs one decode. */
export const decodeRecord = <A>(
  schema: Schema.Schema<A, unknown>,
  raw: unknown,
): Either.Either<A, ParseResult.ParseError> => {
  if (typeof raw !== "object" || raw === null) return Schema.decodeUnknownEither(schema)(raw)
  const cached = lastDecoded.get(raw)
  if (cached !== undefined && cached.schema === schema)
    return cached.result as Either.Either<A, ParseResult.ParseError>
  const result = Schema.decodeUnknownEither(schema)(raw)
  lastDecoded.set(raw, { schema, result })
  return result
}

/** decode raw → map to Activity: the one step every consumer of a page (endpoint, pipeline) shares. */
export const mapRecord = (
  stream: RecordMapping,
  account: IntegratedAccount,
  raw: unknown,
): Either.Either<Activity, RejectedRecord> => {
  // Undeclared provider fields are not needed here: remote_data carries the raw record whole.
  const decoded = decodeRecord(stream.record, raw)
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
