import { Clock, Effect, Either, Option, SubscriptionRef } from "effect"
import { Config } from "../config/Config.ts"
import { CurrentAccounts } from "../config/CurrentAccounts.ts"
import { CursorCodec } from "../cursor/CursorCodec.ts"
import type { Activity } from "../domain/Activity.ts"
import type { ActivityFilters } from "../domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { OcsfEvent } from "../domain/OcsfEvent.ts"
import type { ProviderError } from "../http/ProviderError.ts"
import { activityToOcsf } from "../ocsf/toOcsf.ts"
import { adapterOf } from "../providers/adapterOf.ts"
import { failedSignInOf } from "../providers/failedSignIn.ts"
import type { RejectedRecord } from "../providers/mapRecord.ts"
import type { ProviderAdapter, ProviderServices } from "../providers/ProviderAdapter.ts"
import {
  decodePositions as decodeStreamPositions,
  pageAccount,
  positionsFrom,
  storedPositions,
} from "../providers/pageAccount.ts"
import { AccountNotFound, InvalidParameter } from "./ListActivitiesError.ts"
import { validateFilters } from "./validateFilters.ts"

export interface ListActivitiesRequest {
  readonly accountId: string
  /** Filters with `created_at` already normalised to a UTC instant. */
  readonly filters: ActivityFilters
  /** A `next_cursor` from an earlier answer for the same account and filters. */
  readonly cursor?: string | undefined
  readonly limit: number
  /** `ocsf`: the page's Activities as OCSF 1.8.0 events. Not part of what the cursor is bound to. */
  readonly format?: "unified" | "ocsf" | undefined
}

export interface ListActivitiesResult {
  readonly result: ReadonlyArray<Activity>
  /** With `format: "ocsf"`, the page's Activities as OCSF events (and `result` empty). */
  readonly ocsf?: ReadonlyArray<OcsfEvent>
  /** null once the provider has nothing more right now: clients paging "until null" stop there. */
  readonly next_cursor: string | null
  /** Provider records that could not become Activities; logged here, dead-lettered by the pipeline. */
  readonly rejected: ReadonlyArray<RejectedRecord>
}

export type ListActivitiesError = AccountNotFound | InvalidParameter | ProviderError

/**
 * The accounts as last (re)loaded where the command follows its config (`run`), else the config's at start.
 * Account ids are compared lower-case, as the config loader stores them.
 */
const accountsNow = Effect.flatMap(Effect.serviceOption(CurrentAccounts), (current) =>
  Option.isSome(current) ? SubscriptionRef.get(current.value) : Effect.map(Config, (c) => c.accounts),
)

const findAccount = (accountId: string) =>
  Effect.flatMap(accountsNow, (accounts) => {
    const id = accountId.toLowerCase()
    const entry = accounts.find(({ account }) => account.id === id)
    if (entry === undefined) {
      return Effect.fail(
        new AccountNotFound({ accountId: id, message: `no integrated account ${id} is configured` }),
      )
    }
    // A disabled account is one the operator asked us not to call the provider for.
    if (!entry.config.enabled) {
      return Effect.fail(
        new AccountNotFound({ accountId: id, message: `integrated account ${id} is disabled` }),
      )
    }
    return Effect.succeed(entry.account)
  })

/** `next_cursor` → every stream's position; none = each stream starts at the filters' beginning. */
const decodePositions = (
  adapter: ProviderAdapter,
  account: IntegratedAccount,
  filters: ActivityFilters,
  cursor: string | undefined,
) =>
  Effect.gen(function* () {
    if (cursor === undefined) return {}
    const codec = yield* CursorCodec
    const sealed = yield* codec
      .decode(cursor, account.id, filters)
      .pipe(
        Either.mapLeft((invalid) => new InvalidParameter({ param: "next_cursor", message: invalid.message })),
      )
    // A cursor issued before streams existed holds the single stream's position as it is.
    return yield* decodeStreamPositions(adapter, positionsFrom(adapter, sealed)).pipe(
      // Signed by us yet unreadable: issued by another version of the adapter.
      Either.mapLeft(
        (error) =>
          new InvalidParameter({
            param: "next_cursor",
            message: `next_cursor holds a position this version cannot resume from: ${error}`,
          }),
      ),
    )
  })

/**
 * One page of an account's unified activity: the operation behind `GET /unified/user-directory/activities`.
 * Validates the request against the account's integration, resumes every stream from the sealed cursor, and
 * reads one page through the shared page loop.
 */
export const listActivities = (
  request: ListActivitiesRequest,
): Effect.Effect<ListActivitiesResult, ListActivitiesError, Config | CursorCodec | ProviderServices> =>
  Effect.gen(function* () {
    const account = yield* findAccount(request.accountId)
    const adapter = yield* adapterOf(account)
    const filters = yield* validateFilters(account, adapter.capabilities, request.filters)
    const positions = yield* decodePositions(adapter, account, filters, request.cursor)
    const page = yield* pageAccount(adapter, { account, filters, positions, limit: request.limit })

    const result: Activity[] = []
    const ocsf: OcsfEvent[] = []
    const rejected: RejectedRecord[] = []
    // No envelope here: the account is the request's, observed_at the time of the answer.
    const observedAt = new Date(yield* Clock.currentTimeMillis).toISOString()
    for (const { mapped, stream, raw } of page.records) {
      if (Either.isLeft(mapped)) rejected.push(mapped.left)
      else if (request.format === "ocsf") {
        const streamOf = adapter.streams.find((s) => s.name === stream) ?? adapter.streams[0]
        const signIn = failedSignInOf(streamOf, mapped.right, raw)
        ocsf.push(activityToOcsf(account, mapped.right, observedAt, signIn))
      } else result.push(mapped.right)
    }
    yield* Effect.forEach(rejected, (record) =>
      // The reason only: the raw record goes to the dead-letter topic, not to the log.
      Effect.logWarning("provider record rejected").pipe(
        Effect.annotateLogs({ integration: account.integration, stage: record.stage, reason: record.reason }),
      ),
    )

    // Progress is judged on the provider records, not on what survived mapping and filters: a page of
    // rejected or filtered-out records still moves the positions forward.
    const caughtUp = page.consumed === 0 && !page.hasMore
    const codec = yield* CursorCodec
    return {
      result,
      ...(request.format === "ocsf" ? { ocsf } : {}),
      next_cursor: caughtUp
        ? null
        : codec.encode(account.id, filters, storedPositions(adapter, page.positions)),
      rejected,
    }
  }).pipe(Effect.annotateLogs({ account: request.accountId }))
