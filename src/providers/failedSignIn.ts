import { Either } from "effect"
import type { Activity } from "../domain/Activity.ts"
import { decodeRecord, type FailedSignIn, keptSignIn, type RecordMapping } from "./mapRecord.ts"

/**
 * Whether a mapped record is a failed sign-in, and what its provider says of it. Every `login_failed` Activity
 * is one; a stream's `failedSignIns` adds the raw types it names and the reason and attempted user. Only records
 * whose action the stream names are looked at again, and their details are mapRecord's, kept: the common case
 * costs a set lookup.
 */
export const failedSignInOf = (
  stream: Pick<RecordMapping, "record" | "failedSignIns"> | undefined,
  activity: Pick<Activity, "action">,
  raw: unknown,
): FailedSignIn | undefined => {
  const unified = activity.action === "login_failed" ? {} : undefined
  const fact = stream?.failedSignIns
  if (stream === undefined || fact === undefined || !fact.actions.has(activity.action ?? "")) return unified
  const kept = keptSignIn(stream, raw)
  if (kept !== undefined) return kept.signIn ?? unified
  const decoded = decodeRecord(stream.record, raw)
  if (Either.isLeft(decoded)) return unified
  return fact.of(decoded.right) ?? unified
}

/** A provider's reason and attempted user name as a FailedSignIn, absent and empty values left out. */
export const signInFacts = (facts: {
  readonly reason?: string | null | undefined
  readonly attempted_user?: string | null | undefined
}): FailedSignIn => ({
  ...(facts.reason ? { reason: facts.reason } : {}),
  ...(facts.attempted_user ? { attempted_user: facts.attempted_user } : {}),
})
