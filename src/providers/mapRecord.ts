import { Either, ParseResult, type Schema } from "effect"
import type { Activity } from "../domain/Activity.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { AnyActivityStream, FailedSignIn } from "./ActivityStream.ts"
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
 * What mapRecord found of each raw record routing will ask again about (those whose action the stream's
 * failedSignIns names): the failed sign-in's details, where a second decode of the same object would cost as
 * much as the first. The details, not the decoded record: a weak map's values are held strongly by V8's
 * young-generation collections (only a full collection looks at whether the key lives), so a decoded record
 * kept here, and the raw objects it shares, outlived every page by a collection or two and was copied and
 * promoted each time (measured on the endpoint: 10 MB promoted per scavenge, a 20–40 ms pause each). Weakly
 * held: an entry lives as long as its page's records do.
 */
const keptSignIns = new WeakMap<
  object,
  { readonly mapping: RecordMapping; readonly signIn: FailedSignIn | undefined }
>()

/** The failed sign-in details mapRecord kept of `raw` for this stream, if it kept them. */
export const keptSignIn = (
  stream: Pick<RecordMapping, "record" | "failedSignIns">,
  raw: unknown,
): { readonly signIn: FailedSignIn | undefined } | undefined => {
  const kept = typeof raw === "object" && raw !== null ? keptSignIns.get(raw) : undefined
  return kept !== undefined &&
    kept.mapping.record === stream.record &&
    kept.mapping.failedSignIns === stream.failedSignIns
    ? kept
    : undefined
}

/** The raw record decoded with the stream's record schema (its compiled checks, Effect's decode for a refusal). */
export const decodeRecord = <A>(
  schema: Schema.Schema<A, unknown>,
  raw: unknown,
): Either.Either<A, ParseResult.ParseError> => fastDecoder(schema)(raw)

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
  const facts = stream.failedSignIns
  if (facts?.actions.has(activity.action ?? "") && typeof raw === "object" && raw !== null)
    keptSignIns.set(raw, { mapping: stream, signIn: facts.of(decoded.right) })
  // remote_data is the record exactly as the provider sent it, not the decoded form.
  return Either.right({ ...activity, remote_data: raw as object })
}
