import { Either } from "effect"
import type { ConnectorConfig } from "../config/ConnectorConfig.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { AnyActivityStream } from "../providers/ActivityStream.ts"
import { failedSignInOf } from "../providers/failedSignIn.ts"
import { mapRecord } from "../providers/mapRecord.ts"
import type { AccountRecord } from "../providers/pageAccount.ts"
import { registry } from "../providers/registry.ts"
import { deadLetterMessage, type OutgoingMessage, routeActivityInto } from "./ActivityMessages.ts"

export interface RoutedPage {
  messages: OutgoingMessage[]
  published: number
  deadLettered: number
  /** The newest `created_at` among the page's activities, as the activity states it. */
  newestCreatedAt: string | undefined
  /** The same, per stream of the integration (records that name their stream). */
  newestByStream: Record<string, string>
}

/** The later of two instants as activities state them; either may be absent. */
export const newer = (a: string | undefined, b: string | undefined): string | undefined =>
  a === undefined ? b : b === undefined ? a : Date.parse(b) > Date.parse(a) ? b : a

/**
 * mapped records → route: the messages of one account page, in page order. Each record's `observedAt` (when
 * its provider page was fetched) becomes its envelope's `observed_at`. A failed sign-in goes to the
 * login_failed topic too: every `login_failed` Activity, and the raw types its stream counts as failed
 * sign-ins (`failedSignIns`: a lockout, a denied push, a policy denial), with what the provider says of it
 * (`sign_in`: reason, attempted user) in the record.
 */
export const routeRecords = (
  account: IntegratedAccount,
  records: ReadonlyArray<
    Pick<AccountRecord, "mapped" | "observedAt"> & { readonly stream?: string; readonly raw?: unknown }
  >,
  kafka: ConnectorConfig["kafka"],
): RoutedPage => {
  const streams = registry.lookup(account.integration)?.streams ?? []
  const streamNamed = (name: string | undefined): AnyActivityStream | undefined =>
    name === undefined ? streams[0] : streams.find((s) => s.name === name)
  const messages: OutgoingMessage[] = []
  let published = 0
  let deadLettered = 0
  let newestCreatedAt: string | undefined
  const newestByStream: Record<string, string> = {}
  // What `newer` decides, with each record's instant parsed once rather than once per comparison.
  let newestMs = Number.NEGATIVE_INFINITY
  const newestMsByStream = new Map<string, number>()
  for (const { mapped, stream, raw, observedAt } of records) {
    if (Either.isLeft(mapped)) {
      messages.push(deadLetterMessage(account, mapped.left, observedAt, kafka))
      deadLettered++
      continue
    }
    const createdAt = mapped.right.created_at
    const createdMs = Date.parse(createdAt)
    if (newestCreatedAt === undefined || createdMs > newestMs) {
      newestCreatedAt = createdAt
      newestMs = createdMs
    }
    const streamMs = stream === undefined ? undefined : newestMsByStream.get(stream)
    if (stream !== undefined && (streamMs === undefined || createdMs > streamMs)) {
      newestByStream[stream] = createdAt
      newestMsByStream.set(stream, createdMs)
    }
    const signIn = failedSignInOf(streamNamed(stream), mapped.right, raw ?? mapped.right.remote_data)
    if (routeActivityInto(messages, account, mapped.right, observedAt, kafka, signIn, createdMs)) published++
    else deadLettered++
  }
  return { messages, published, deadLettered, newestCreatedAt, newestByStream }
}

/**
 * Raw records of the account's integration's first stream → decode + map → route. For callers holding raw
 * provider records outside the page loop (benchmarks, tests); the pipeline routes `pageAccount`'s records.
 * `observedAt` defaults to now: these records were fetched by the caller, not by the page loop.
 */
export const routePage = (
  account: IntegratedAccount,
  records: ReadonlyArray<unknown>,
  kafka: ConnectorConfig["kafka"],
  observedAt: string = new Date().toISOString(),
): RoutedPage => {
  const stream = registry.lookup(account.integration)?.streams[0]
  return routeRecords(
    account,
    records.map((raw) => ({
      raw,
      mapped:
        stream === undefined
          ? Either.left({ raw, stage: "decode" as const, reason: `${account.integration} has no streams` })
          : mapRecord(stream, account, raw),
      observedAt,
    })),
    kafka,
  )
}
