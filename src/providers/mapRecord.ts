import { Either, ParseResult, type Schema } from "effect"
import type { Activity } from "../domain/Activity.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { AnyActivityStream } from "./ActivityStream.ts"
import { fastDecoder } from "./fastDecode.ts"

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
 * The decode mapRecord made of each raw record routing will ask again about: a failed sign-in's details
 * (failedSignIn.ts), where a second decode of the same object would cost as much as the first. Only those
 * records are kept, as a weak map's entry costs more than the lookup it saves for the others. Weakly held: an
 * entry lives as long as its page's records do.
 */
const keptDecodes = new WeakMap<object, { readonly schema: unknown; readonly decoded: unknown }>()

/**
 * The raw record decoded with the stream's record schema (its compiled checks, Effect's decode for a refusal);
 * mapRecord's decode when it kept one.
 */
export const decodeRecord = <A>(
  schema: Schema.Schema<A, unknown>,
  raw: unknown,
): Either.Either<A, ParseResult.ParseError> => {
  const kept = typeof raw === "object" && raw !== null ? keptDecodes.get(raw) : undefined
  if (kept !== undefined && kept.schema === schema) return Either.right(kept.decoded as A)
  return fastDecoder(schema)(raw)
}

/**
 * `toActivity`, a throw included: mappings are pure and return their refusals, but one that throws on a value
 * its schema let through (a time beyond Date's range, say) must cost a dead letter, not the account's stream.
 */
const mappedSafely = (
  stream: RecordMapping,
  decoded: unknown,
  account: IntegratedAccount,
): ReturnType<RecordMapping["toActivity"]> => {
  try {
    return stream.toActivity(decoded as never, account)
  } catch (error) {
    return Either.left({
      reason: `mapping failed: ${error instanceof Error ? error.message : String(error)}`,
    })
  }
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
  const mapped = mappedSafely(stream, decoded.right, account)
  if (Either.isLeft(mapped)) return Either.left({ raw, stage: "map", reason: mapped.left.reason })
  const activity = mapped.right
  if (stream.failedSignIns?.actions.has(activity.action ?? "") && typeof raw === "object" && raw !== null)
    keptDecodes.set(raw, { schema: stream.record, decoded: decoded.right })
  // remote_data is the record exactly as the provider sent it, not the decoded form.
  return Either.right({ ...activity, remote_data: raw as object })
}
