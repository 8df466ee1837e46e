import { Effect, Either, ParseResult, Schema } from "effect"
import { Config } from "../config/loadConfig.ts"
import { CursorCodec } from "../cursor/CursorCodec.ts"
import type { Activity } from "../domain/Activity.ts"
import type { ActivityFilters } from "../domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { ProviderError } from "../http/ProviderError.ts"
import { fetchPageChecked } from "../providers/fetchPageChecked.ts"
import { mapRecord, type RejectedRecord } from "../providers/mapRecord.ts"
import type { AnyProviderAdapter, ProviderServices } from "../providers/ProviderAdapter.ts"
import { adapterFor } from "../providers/registry.ts"
import { AccountNotFound, InvalidParameter } from "./ListActivitiesError.ts"
import { validateFilters } from "./validateFilters.ts"

export interface ListActivitiesRequest {
  readonly accountId: string
  /** Filters with `created_at` already normalised to a UTC instant. */
  readonly filters: ActivityFilters
  /** A `next_cursor` from an earlier answer for the same account and filters. */
  readonly cursor?: string | undefined
  readonly limit: number
}

export interface ListActivitiesResult {
  readonly result: ReadonlyArray<Activity>
  /** null once the provider has nothing more right now: clients paging "until null" stop there. */
  readonly next_cursor: string | null
  /** Provider records that could not become Activities; logged here, dead-lettered by the pipeline. */
  readonly rejected: ReadonlyArray<RejectedRecord>
}

export type ListActivitiesError = AccountNotFound | InvalidParameter | ProviderError

/** Account ids are compared lower-case, as the config loader stores them. */
const findAccount = (accountId: string) =>
  Effect.flatMap(Config, ({ accounts }) => {
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

/** `next_cursor` → the adapter's position; undefined = start at the filters' beginning. */
const decodePosition = (
  adapter: AnyProviderAdapter,
  account: IntegratedAccount,
  filters: ActivityFilters,
  cursor: string | undefined,
) =>
  Effect.gen(function* () {
    if (cursor === undefined) return undefined
    const codec = yield* CursorCodec
    const sealed = yield* codec
      .decode(cursor, account.id, filters)
      .pipe(
        Either.mapLeft((invalid) => new InvalidParameter({ param: "next_cursor", message: invalid.message })),
      )
    return yield* Schema.decodeUnknownEither(adapter.position)(sealed).pipe(
      // Signed by us yet unreadable: issued by another version of the adapter.
      Either.mapLeft(
        (error) =>
          new InvalidParameter({
            param: "next_cursor",
            message: `next_cursor holds a position this version cannot resume from: ${ParseResult.TreeFormatter.formatErrorSync(error)}`,
          }),
      ),
    )
  })

/** `created_at` filters "created at or after": providers whose own bound is coarser must not leak earlier ones. */
const createdAtOrAfter = (filters: ActivityFilters) => {
  if (filters.created_at === undefined) return () => true
  const from = Date.parse(filters.created_at)
  return (activity: Activity) => Date.parse(activity.created_at) >= from
}

/**
 * One page of an account's unified activity: the operation behind `GET /unified/user-directory/activities`
 * and the backfill command. Validates the request against the account's integration, resumes from the
 * sealed cursor, fetches one provider page, decodes and maps each record.
 */
export const listActivities = (
  request: ListActivitiesRequest,
): Effect.Effect<ListActivitiesResult, ListActivitiesError, Config | CursorCodec | ProviderServices> =>
  Effect.gen(function* () {
    const account = yield* findAccount(request.accountId)
    const adapter = adapterFor(account.integration)
    const filters = yield* validateFilters(account, adapter.capabilities, request.filters)
    const position = yield* decodePosition(adapter, account, filters, request.cursor)
    const page = yield* fetchPageChecked(adapter, { account, filters, position, limit: request.limit })

    const keep = createdAtOrAfter(filters)
    const result: Activity[] = []
    const rejected: RejectedRecord[] = []
    for (const raw of page.records) {
      const mapped = mapRecord(adapter, account, raw)
      if (Either.isLeft(mapped)) rejected.push(mapped.left)
      else if (keep(mapped.right)) result.push(mapped.right)
    }
    yield* Effect.forEach(rejected, (record) =>
      // The reason only: the raw record goes to the dead-letter topic, not to the log.
      Effect.logWarning("provider record rejected").pipe(
        Effect.annotateLogs({ integration: account.integration, stage: record.stage, reason: record.reason }),
      ),
    )

    // Progress is judged on the provider page, not on what survived mapping: a page of rejected records
    // still moves the position forward.
    const caughtUp = page.records.length === 0 && !page.hasMore
    const codec = yield* CursorCodec
    return {
      result,
      next_cursor: caughtUp ? null : codec.encode(account.id, filters, page.next),
      rejected,
    }
  }).pipe(Effect.annotateLogs({ account: request.accountId }))
