import { isIP } from "node:net"
import { Either, Schema } from "effect"
import { type UnifiedAction, UtcInstant } from "../../domain/Activity.ts"
import type { ActivityFilters, FilterName } from "../../domain/ActivityFilters.ts"
import { ProviderBadResponse } from "../../http/ProviderError.ts"
import { AUDIT_LOGS_PATH, type ZendeskAuditLogsPage } from "./ZendeskAuditLog.ts"

// The requests of continuous tailing, as plain data. Zendesk lists audit logs with cursor pagination
// (`page[size]` ≤ 100, then `page[after]` = `meta.after_cursor` while `meta.has_more`), oldest first with
// `sort=created_at` (the default is newest first), and filters by time only as a closed range: `filter[created_at][]`
// given twice, start then end. Every unified filter has a Zendesk parameter. No HTTP here.

export const PAGE_SIZE_MAX = 100

/**
 * Unified actions → Zendesk's `filter[action]`. The other unified values (`login_failed`, `logout`, `user_*`)
 * are never produced from Zendesk records, so asking for one matches nothing: it is answered empty without a
 * request (as Okta's adapter does), rather than with a 400.
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

/** The request's filters as Zendesk parameters, checked. */
export interface ZendeskFilters {
  /** Epoch ms: activity at or after it (the range's start). */
  readonly createdAtMs?: number
  readonly actorId?: string
  /** Zendesk's action; `null` when the unified action has no Zendesk counterpart (nothing can match). */
  readonly action?: string | null
  readonly sourceType?: string
  readonly sourceId?: string
  readonly ipAddress?: string
}

const ZENDESK_ID = /^\d{1,19}$/

/**
 * The request's filters as Zendesk takes them. Ids must be Zendesk's integers; `entity` needs `entity_type`
 * (Zendesk: `filter[source_id]` "requires `filter[source_type]` to also be set"); `organization_id` is not a
 * Zendesk filter.
 */
export const readFilters = (filters: ActivityFilters): Either.Either<ZendeskFilters, FilterRejection> => {
  const { created_at, actor_id, action, entity, entity_type, ip_address, organization_id } = filters
  if (organization_id !== undefined) {
    return Either.left({
      param: "organization_id",
      message: "organization_id is not supported by the zendesk integration",
    })
  }
  const createdAtMs = created_at === undefined ? undefined : Date.parse(created_at)
  if (createdAtMs !== undefined && Number.isNaN(createdAtMs)) {
    return Either.left({ param: "created_at", message: "created_at must be an ISO-8601 date-time" })
  }
  if (actor_id !== undefined && !ZENDESK_ID.test(actor_id)) {
    return Either.left({ param: "actor_id", message: "actor_id must be a Zendesk user id (digits only)" })
  }
  if (entity !== undefined && entity_type === undefined) {
    return Either.left({
      param: "entity_type",
      message: "entity needs entity_type: Zendesk filters an item id only within an item type",
    })
  }
  if (entity !== undefined && !ZENDESK_ID.test(entity)) {
    return Either.left({ param: "entity", message: "entity must be a Zendesk item id (digits only)" })
  }
  if (entity_type !== undefined && entity_type.trim() === "") {
    return Either.left({ param: "entity_type", message: "entity_type must not be empty" })
  }
  if (ip_address !== undefined && isIP(ip_address) === 0) {
    return Either.left({ param: "ip_address", message: "ip_address must be an IPv4 or IPv6 address" })
  }
  return Either.right({
    ...(createdAtMs === undefined ? {} : { createdAtMs }),
    ...(actor_id === undefined ? {} : { actorId: actor_id }),
    ...(action === undefined ? {} : { action: ActionFilters[action] ?? null }),
    ...(entity_type === undefined ? {} : { sourceType: entity_type }),
    ...(entity === undefined ? {} : { sourceId: entity }),
    ...(ip_address === undefined ? {} : { ipAddress: ip_address }),
  })
}

/**
 * Where the stream stands: the latest `created_at` published and the ids published at exactly that second
 * (records share seconds). `next_query` continues the query under way (its `page[after]` included); absent
 * once a query was read to its end.
 */
export const ZendeskPosition = Schema.Struct({
  since: UtcInstant,
  ids_at_since: Schema.Array(Schema.String),
  next_query: Schema.optional(Schema.String),
}).annotations({ identifier: "ZendeskPosition" })
export type ZendeskPosition = typeof ZendeskPosition.Type

/**
 * Where a stream starts: the `created_at` filter, else the start of the account's history (Zendesk keeps it
 * all), i.e. the epoch.
 */
export const startPosition = (filters: ZendeskFilters): ZendeskPosition => ({
  since: new Date(filters.createdAtMs ?? 0).toISOString(),
  ids_at_since: [],
})

/**
 * How long after its time a record is assumed visible: each query ends this far before now. Airbyte's Zendesk
 * connector uses 30 s ("records can become visible slightly late").
 */
export const DEFAULT_SETTLE_MS = 30_000

export type QueryPlan =
  | { readonly _tag: "Query"; readonly query: URLSearchParams; readonly until: string }
  /** The position is at or past `now − settle`: nothing to ask for yet. */
  | { readonly _tag: "NothingYet" }
  /** The filters ask for an action Zendesk never records: the answer is empty without a request. */
  | { readonly _tag: "MatchesNothing" }

/** Zendesk's form of an instant in the range filter: whole seconds, `Z`. */
export const zendeskTime = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")

/**
 * The first page's query from the position (inclusive, floored to its second) to `now − settle`, oldest
 * first. The range is closed at both ends (start and end are both required by Zendesk).
 */
export const planQuery = (
  filters: ZendeskFilters,
  position: Pick<ZendeskPosition, "since">,
  options: { readonly nowMs: number; readonly settleMs?: number; readonly pageSize?: number },
): QueryPlan => {
  if (filters.action === null) return { _tag: "MatchesNothing" }
  const fromMs = Math.floor(Math.max(Date.parse(position.since), filters.createdAtMs ?? 0) / 1000) * 1000
  const untilMs = Math.floor((options.nowMs - (options.settleMs ?? DEFAULT_SETTLE_MS)) / 1000) * 1000
  if (fromMs > untilMs) return { _tag: "NothingYet" }
  const query = new URLSearchParams()
  query.set("page[size]", String(pageSize(options.pageSize ?? PAGE_SIZE_MAX)))
  query.set("sort", "created_at")
  query.append("filter[created_at][]", zendeskTime(fromMs))
  query.append("filter[created_at][]", zendeskTime(untilMs))
  if (filters.actorId !== undefined) query.set("filter[actor_id]", filters.actorId)
  if (filters.action !== undefined) query.set("filter[action]", filters.action)
  if (filters.sourceType !== undefined) query.set("filter[source_type]", filters.sourceType)
  if (filters.sourceId !== undefined) query.set("filter[source_id]", filters.sourceId)
  if (filters.ipAddress !== undefined) query.set("filter[ip_address]", filters.ipAddress)
  return { _tag: "Query", query, until: new Date(untilMs).toISOString() }
}

export const pageSize = (limit: number): number => Math.min(PAGE_SIZE_MAX, Math.max(1, Math.floor(limit)))

/** A query (first page or a stored `next_query`) as a URL on the account's own origin. */
export const auditLogsUrl = (instance: URL, query: URLSearchParams | string): URL => {
  const url = new URL(AUDIT_LOGS_PATH, instance.origin)
  url.search = new URLSearchParams(query).toString()
  return url
}

/**
 * The query of the next page: the same query with `page[after]` = `meta.after_cursor`, while `meta.has_more`.
 * Built from the cursor rather than by following `links.next`, whose host is the `{subdomain}.zendesk.com`
 * Zendesk knows, not necessarily the account's configured (perhaps host-mapped) base URL.
 */
export const nextPageQuery = (
  query: URLSearchParams,
  page: Pick<ZendeskAuditLogsPage, "meta">,
): Either.Either<URLSearchParams | undefined, ProviderBadResponse> => {
  if (!page.meta.has_more) return Either.right(undefined)
  const after = page.meta.after_cursor
  if (!after) {
    return Either.left(
      new ProviderBadResponse({
        integration: "zendesk",
        message: "zendesk said has_more without an after_cursor",
      }),
    )
  }
  const next = new URLSearchParams(query)
  next.delete("page[before]")
  next.set("page[after]", after)
  return Either.right(next)
}

/** A record's id (as the Activity writes it) and time: what placing it against the watermark needs. */
export interface RecordKey {
  readonly id: string
  readonly time: string
}

/** The key of a raw record, read without decoding it whole, so a malformed but placeable one is dead-lettered once. */
export const auditLogKey = (raw: unknown): RecordKey | undefined => {
  if (typeof raw !== "object" || raw === null) return undefined
  const { id, created_at } = raw as { readonly id?: unknown; readonly created_at?: unknown }
  if (typeof id !== "number" || !Number.isSafeInteger(id) || typeof created_at !== "string") return undefined
  const time = /(Z|[+-]\d{2}:\d{2})$/.test(created_at) ? Date.parse(created_at) : Number.NaN
  return Number.isNaN(time) ? undefined : { id: String(id), time: new Date(time).toISOString() }
}

export interface Advanced {
  /** Records not published before, in Zendesk's order (oldest first), each once. */
  readonly fresh: ReadonlyArray<unknown>
  /** Records with no readable id or time: handed on as they are (to be dead-lettered). */
  readonly unplaced: ReadonlyArray<unknown>
  readonly position: ZendeskPosition
}

/**
 * One page against the position: drops records older than the watermark and those at it already published,
 * moves the watermark, and keeps the next page's query while the query has more. A record that becomes
 * visible with a time before the watermark is dropped (it cannot be told from one published): the settle
 * margin is what keeps late records from falling behind.
 */
export const advance = (
  position: ZendeskPosition,
  records: ReadonlyArray<unknown>,
  next: URLSearchParams | undefined,
): Advanced => {
  const sinceMs = Date.parse(position.since)
  const published = new Set(position.ids_at_since)
  const fresh: Array<unknown> = []
  const unplaced: Array<unknown> = []
  let latestMs = sinceMs
  let atLatest = [...position.ids_at_since]
  for (const raw of records) {
    const key = auditLogKey(raw)
    if (key === undefined) {
      unplaced.push(raw)
      continue
    }
    const ms = Date.parse(key.time)
    if (ms < sinceMs || published.has(key.id)) continue
    published.add(key.id)
    fresh.push(raw)
    if (ms > latestMs) {
      latestMs = ms
      atLatest = [key.id]
    } else if (ms === latestMs) {
      atLatest.push(key.id)
    }
  }
  return {
    fresh,
    unplaced,
    position: {
      since: new Date(latestMs).toISOString(),
      ids_at_since: atLatest,
      ...(next === undefined ? {} : { next_query: next.toString() }),
    },
  }
}
