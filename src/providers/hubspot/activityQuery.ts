import { Schema } from "effect"
import type { UnifiedAction } from "../../domain/Activity.ts"
import type { ActivityFilters, FilterName } from "../../domain/ActivityFilters.ts"
import type { ProviderCall } from "../ProviderCall.ts"
import type { PageQuery } from "../paging/Paginator.ts"
import { HubSpotPage, LOGIN_PATH, SECURITY_PATH } from "./HubSpotActivity.ts"

// The requests of the two streams, as plain data. Both list with `limit` (≤ 200) and `after`
// (= `paging.next.after`, opaque); both filter by `userId`. Only security activity filters by time
// (`fromTimestamp`/`toTimestamp`, epoch milliseconds); login history has no time parameter at all. No HTTP here.

/**
 * Always HubSpot's largest page: a watermark read takes every page of its range whatever the caller's limit
 * (login history is its whole 90-day list), so the biggest pages spend the fewest requests of the budget.
 */
export const PAGE_SIZE_MAX = 200

/** The unified actions HubSpot's spec allows as a filter. */
export const ACTION_FILTERS: ReadonlyArray<UnifiedAction> = ["login"]

const HUBSPOT_USER_ID = /^\d{1,10}$/

/** HubSpot user ids are integers: any other `actor_id` matches no record, so nothing is asked. */
export const actorIdUsable = (filters: ActivityFilters): boolean =>
  filters.actor_id === undefined || HUBSPOT_USER_ID.test(filters.actor_id)

/** Login history: `actor_id` → `userId`. `action` (login vs login_failed) and `created_at` are post-filtered. */
export const LOGIN_PUSHED_DOWN: ReadonlyArray<FilterName> = ["actor_id"]

/** Security activity: `created_at` → `fromTimestamp`, `actor_id` → `userId`. */
export const SECURITY_PUSHED_DOWN: ReadonlyArray<FilterName> = ["created_at", "actor_id"]

export const loginCanMatch = (filters: ActivityFilters): boolean =>
  actorIdUsable(filters) && (filters.action === undefined || ACTION_FILTERS.includes(filters.action))

/** Security actions never map to `login`, so an `action` filter leaves this stream out. */
export const securityCanMatch = (filters: ActivityFilters): boolean =>
  actorIdUsable(filters) && filters.action === undefined

const withoutUndefined = (params: Record<string, string | undefined>): Readonly<Record<string, string>> =>
  Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined)) as Record<
    string,
    string
  >

/** `GET /account-info/v3/activity/login`: the whole list (no time filter), by user when asked. */
export const loginCall = (query: PageQuery, after?: string): ProviderCall => ({
  target: LOGIN_PATH,
  query: withoutUndefined({
    limit: String(PAGE_SIZE_MAX),
    userId: query.filters.actor_id,
    after,
  }),
})

/**
 * `GET /account-info/v3/activity/security` over `[from, to)`: `fromTimestamp` = from and `toTimestamp` =
 * to − 1 ms, epoch milliseconds (HubSpot does not state the unit or whether the bounds are inclusive; milliseconds
 * as elsewhere in HubSpot's APIs, and both ends treated as inclusive, so the exclusive end is moved in by 1 ms; the
 * shared read drops anything outside the range either way).
 */
export const securityCall = (query: PageQuery, after?: string): ProviderCall => ({
  target: SECURITY_PATH,
  query: withoutUndefined({
    limit: String(PAGE_SIZE_MAX),
    userId: query.filters.actor_id,
    fromTimestamp: query.from === undefined ? undefined : String(query.from),
    toTimestamp: query.to === undefined ? undefined : String(query.to - 1),
    after,
  }),
})

const decodePage = Schema.decodeUnknownOption(HubSpotPage)

/**
 * A page as the body-cursor paginator reads it: `results`, and `paging.next.after` as the next token (absent,
 * null or empty: the end). `paging.next.link` is not followed, so every request stays on the account's origin.
 */
export const readHubSpotPage = (
  body: unknown,
): { readonly records: ReadonlyArray<unknown>; readonly token?: string } | undefined => {
  const decoded = decodePage(body)
  if (decoded._tag === "None") return undefined
  const after = decoded.value.paging?.next?.after
  return after ? { records: decoded.value.results, token: after } : { records: decoded.value.results }
}
