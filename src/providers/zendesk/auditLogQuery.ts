import { isIP } from "node:net"
import { Duration, Either, Schema } from "effect"
import type { UnifiedAction } from "../../domain/Activity.ts"
import type { ActivityFilters, FilterName } from "../../domain/ActivityFilters.ts"
import { AUDIT_LOGS_PATH, ZendeskAuditLogsPage } from "./ZendeskAuditLog.ts"

// The requests of continuous tailing, as plain data. Zendesk lists audit logs with cursor pagination
// (`page[size]` ≤ 100, then `page[after]` = `meta.after_cursor` while `meta.has_more`), oldest first with
// `sort=created_at` (the default is newest first), and filters by time only as a closed range: `filter[created_at][]`
// given twice, start then end. Every unified filter has a Zendesk parameter. No HTTP here.

export const PAGE_SIZE_MAX = 100

/** Every unified filter reaches Zendesk as its own parameter. */
// `entity` is not in the list: Zendesk filters an item id only within an item type (`filter[source_id]`
// "requires `filter[source_type]` to also be set"), so it goes to Zendesk only beside `entity_type`, and the
// shared post-filter checks it always; `entity` alone reads every type and keeps the records of that id.
export const PUSHED_DOWN: ReadonlyArray<FilterName> = [
  "created_at",
  "actor_id",
  "action",
  "entity_type",
  "ip_address",
]

/**
 * Unified actions → Zendesk's `filter[action]`. The other unified values (`login_failed`, `logout`, `user_*`)
 * are never produced from Zendesk records, so asking for one matches nothing: `canMatch` answers it empty
 * without a request (as Okta's adapter does), rather than with a 400.
 */
export const ActionFilters: { readonly [A in UnifiedAction]?: string } = {
  create: "create",
  destroy: "destroy",
  exported: "exported",
  login: "login",
  updated: "update",
}

/** A filter the request gave that Zendesk cannot take as given: the API's 400, naming the parameter. */
export interface FilterRejection {
  readonly param: FilterName
  readonly message: string
}

const ZENDESK_ID = /^\d{1,19}$/

/**
 * Checks the request's filters against what Zendesk takes, for an API that answers 400 naming the parameter:
 * ids must be Zendesk's integers; an IP address must be one; `organization_id` is not a Zendesk filter.
 * An action Zendesk never records is not refused: it matches nothing (`canMatch`).
 */
export const checkFilters = (filters: ActivityFilters): Either.Either<ActivityFilters, FilterRejection> => {
  const { created_at, actor_id, entity, entity_type, ip_address, organization_id } = filters
  const reject = (param: FilterName, message: string) => Either.left({ param, message })
  if (organization_id !== undefined) {
    return reject("organization_id", "organization_id is not supported by the zendesk integration")
  }
  if (created_at !== undefined && Number.isNaN(Date.parse(created_at))) {
    return reject("created_at", "created_at must be an ISO-8601 date-time")
  }
  if (actor_id !== undefined && !ZENDESK_ID.test(actor_id)) {
    return reject("actor_id", "actor_id must be a Zendesk user id (digits only)")
  }
  if (entity !== undefined && !ZENDESK_ID.test(entity)) {
    return reject("entity", "entity must be a Zendesk item id (digits only)")
  }
  if (entity_type !== undefined && entity_type.trim() === "") {
    return reject("entity_type", "entity_type must not be empty")
  }
  if (ip_address !== undefined && isIP(ip_address) === 0) {
    return reject("ip_address", "ip_address must be an IPv4 or IPv6 address")
  }
  return Either.right(filters)
}

/** False when no record can match: an action Zendesk never records, or a value no record can hold. */
export const canMatch = (filters: ActivityFilters): boolean =>
  Either.isRight(checkFilters(filters)) &&
  (filters.action === undefined || ActionFilters[filters.action] !== undefined)

/**
 * How long after its time a record is assumed visible (the stream's settle window): reads end this far before
 * now. Airbyte's Zendesk connector uses 30 s ("records can become visible slightly late").
 */
export const SETTLE = Duration.seconds(30)

/** Zendesk's form of an instant in the range filter: whole seconds, `Z`. */
export const zendeskTime = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")

export const pageSize = (limit: number): number => Math.min(PAGE_SIZE_MAX, Math.max(1, Math.floor(limit)))

/** A read as the contract's PageQuery gives it: `from` inclusive, `to` exclusive (epoch ms), now, page size. */
export interface AuditLogsRead {
  readonly filters: ActivityFilters
  readonly from?: number | undefined
  readonly to?: number | undefined
  readonly now: number
  readonly limit: number
}

const SECOND = 1000

/**
 * The query of a page (`page[after]` from the second on), as the contract's ProviderCall holds parameters (an
 * array repeats one). Oldest first. The range `[from, to)` becomes Zendesk's closed range of whole seconds:
 * `from` floored, `to` rounded up less a second (both ends are required; without `to`, now). Filter values go
 * as parameter values, never as more parameters; ones Zendesk cannot take are kept from being sent by
 * `canMatch` (or refused with a reason by `checkFilters`), and would be Zendesk's own 400 if sent.
 */
export const auditLogsQuery = (
  read: AuditLogsRead,
  after?: string,
): Readonly<Record<string, string | ReadonlyArray<string>>> => {
  const { filters } = read
  const endMs = Math.ceil((read.to ?? read.now) / SECOND) * SECOND - SECOND
  const action = filters.action === undefined ? undefined : (ActionFilters[filters.action] ?? filters.action)
  const params: Record<string, string | ReadonlyArray<string> | undefined> = {
    "page[size]": String(pageSize(read.limit)),
    sort: "created_at",
    "filter[created_at][]": [zendeskTime(read.from ?? 0), zendeskTime(endMs)],
    "filter[actor_id]": filters.actor_id,
    "filter[action]": action,
    "filter[source_type]": filters.entity_type,
    "filter[source_id]": filters.entity_type === undefined ? undefined : filters.entity,
    "filter[ip_address]": filters.ip_address,
    "page[after]": after,
  }
  return Object.fromEntries(Object.entries(params).filter(([, value]) => value !== undefined)) as Readonly<
    Record<string, string | ReadonlyArray<string>>
  >
}

/** A request as the contract's ProviderCall describes one: the list on the account's origin, with its query. */
export const auditLogsCall = (read: AuditLogsRead, after?: string) => ({
  target: AUDIT_LOGS_PATH,
  query: auditLogsQuery(read, after),
})

/** A query as URL parameters (repeated ones repeated), on the account's own origin. */
export const auditLogsUrl = (
  instance: URL,
  query: Readonly<Record<string, string | ReadonlyArray<string>>>,
): URL => {
  const url = new URL(AUDIT_LOGS_PATH, instance.origin)
  for (const [name, value] of Object.entries(query)) {
    for (const one of typeof value === "string" ? [value] : value) url.searchParams.append(name, one)
  }
  return url
}

const decodePage = Schema.decodeUnknownOption(ZendeskAuditLogsPage)

/**
 * One page as the contract's body-cursor paginator reads it (`read`): the records, the next `page[after]`
 * (`meta.after_cursor` while `meta.has_more`) and the more-flag. Undefined (a bad response) for anything else,
 * including an offset-paginated answer and `has_more` without a cursor, which would otherwise end a read early.
 * `links.next` is not followed: its host is the `{subdomain}.zendesk.com` Zendesk knows, which need not be the
 * account's configured (perhaps host-mapped) base URL.
 */
export const readAuditLogsPage = (
  body: unknown,
):
  | { readonly records: ReadonlyArray<unknown>; readonly token?: string; readonly hasMore: boolean }
  | undefined => {
  const decoded = decodePage(body)
  if (decoded._tag === "None") return undefined
  const { audit_logs, meta } = decoded.value
  if (!meta.has_more) return { records: audit_logs, hasMore: false }
  return meta.after_cursor ? { records: audit_logs, token: meta.after_cursor, hasMore: true } : undefined
}
