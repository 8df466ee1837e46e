import { Duration, Schema } from "effect"
import type { UnifiedAction } from "../../domain/Activity.ts"
import type { ActivityFilters, FilterName } from "../../domain/ActivityFilters.ts"
import type { ProviderCall } from "../ProviderCall.ts"
import type { PageQuery } from "../paging/Paginator.ts"
import { AUDIT_LOGS_PATH, HubSpotPage, LOGIN_PATH, SECURITY_PATH } from "./HubSpotActivity.ts"

// The requests of the three streams, as plain data. All list with `limit` and `after` (= `paging.next.after`,
// opaque). Login and security filter by `userId`, the audit log by `actingUserId`. Security activity filters by
// time in epoch milliseconds (`fromTimestamp`/`toTimestamp`), the audit log by date-times
// (`occurredAfter`/`occurredBefore`); login history has no time parameter at all. No HTTP here.

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

/** Audit log: `created_at` → `occurredAfter`, `actor_id` → `actingUserId`. `action` is post-filtered. */
export const AUDIT_PUSHED_DOWN: ReadonlyArray<FilterName> = ["created_at", "actor_id"]

/**
 * The audit log's page size. HubSpot states no maximum for it (200 on login and security); 100, the common
 * maximum of HubSpot's v3 list APIs, so a stricter cap than the other two lists cannot turn every read into a 400.
 */
export const AUDIT_PAGE_SIZE = 100

export const loginCanMatch = (filters: ActivityFilters): boolean =>
  actorIdUsable(filters) && (filters.action === undefined || ACTION_FILTERS.includes(filters.action))

/** Security actions never map to `login`, so an `action` filter leaves this stream out. */
export const securityCanMatch = (filters: ActivityFilters): boolean =>
  actorIdUsable(filters) && filters.action === undefined

/** The audit log holds successful logins (`LOGIN`/`LOGIN_SUCCEEDED`), so `action=login` still asks it. */
export const auditCanMatch = (filters: ActivityFilters): boolean =>
  actorIdUsable(filters) && (filters.action === undefined || ACTION_FILTERS.includes(filters.action))

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

/**
 * `GET /account-info/v3/activity/audit-logs` over `[from, to)`, oldest first (`sort=occurredAt`, HubSpot's
 * documented default order too). Whether `occurredAfter`/`occurredBefore` are inclusive is not documented, so the
 * request covers `[from, to)` under either reading: `occurredAfter` = from − 1 ms and `occurredBefore` = to; the
 * shared read drops what falls outside and the ids it already emitted at `from`.
 */
export const auditCall = (query: PageQuery, after?: string): ProviderCall => ({
  target: AUDIT_LOGS_PATH,
  query: withoutUndefined({
    limit: String(AUDIT_PAGE_SIZE),
    sort: "occurredAt",
    actingUserId: query.filters.actor_id,
    occurredAfter: query.from === undefined ? undefined : new Date(query.from - 1).toISOString(),
    occurredBefore: query.to === undefined ? undefined : new Date(query.to).toISOString(),
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

/**
 * How long after its time a record is assumed listed: reads end this far before now. HubSpot documents no
 * publishing delay for account activity; 30 s, as for Zendesk and Salesforce, keeps a record logged a moment
 * late from being passed over.
 */
export const SETTLE = Duration.seconds(30)
