import { isUnifiedAction, toUtcInstant, type UnifiedAction } from "../../domain/Activity.ts"
import type { ActivityFilters } from "../../domain/ActivityFilters.ts"
import type { ProviderError } from "../../http/ProviderError.ts"
import type { ProviderCall } from "../ProviderCall.ts"
import { clampLimit, type PageQuery } from "../paging/Paginator.ts"
import { type RecordKey, type ResumableCursor, resumableCursor } from "../paging/resumableCursor.ts"
import { AsanaAuditLogPage } from "./AsanaAuditLogEvent.ts"
import { canHoldAction, SINGLE_TYPE_ACTIONS } from "./toActivity.ts"

// The request side of Asana's audit log (`GET /api/1.0/workspaces/{workspace_gid}/audit_log_events`, OAS
// operation `getAuditLogEvents`): `start_at` (inclusive) and `end_at` (exclusive) on `created_at`,
// `event_type` (one raw type), `actor_type`, `actor_gid`, `resource_gid`, `limit` (1–100) and `offset` (a
// token from `next_page.offset`, sent with the same filters). Events come oldest first. Once a response
// carried a `next_page`, Asana keeps sending one even when nothing more matches: "caught up" is an empty
// `data`, and asking later with the latest offset returns what was captured since. Offsets expire after an
// unstated time (a 400): the read then starts again from the latest `created_at` read (`start_at`, inclusive)
// and drops the events already read at that instant, by `gid`.

/** The OAS: "The value must be between 1 and 100" (the endpoint's prose says the default is 1000). */
export const AUDIT_LOG_PAGE_SIZE = 100

/** A workspace gid: digits only, so the configured `organization_id` can never change the path's shape. */
export const isWorkspaceGid = (gid: string): boolean => /^\d{1,32}$/.test(gid)

export const auditLogPath = (workspaceGid: string): string =>
  `/api/1.0/workspaces/${encodeURIComponent(workspaceGid)}/audit_log_events`

/** The only paths the stream requests: a digits-only workspace's audit log. */
export const isAuditLogPath = (pathname: string): boolean =>
  /^\/api\/1\.0\/workspaces\/\d{1,32}\/audit_log_events$/.test(pathname)

/** The workspace an account reads: its configured `organization_id` (required for Asana). */
export const workspaceOf = (settings: Readonly<Record<string, string>> | undefined): string =>
  settings?.organization_id ?? ""

/**
 * The `event_type` a unified `action` filter is sent as: only where exactly one raw type maps to it (the
 * mapping's SINGLE_TYPE_ACTIONS, inverted); a value outside the enum is a raw type and goes as it is. A
 * unified value several raw types map to (`create`, `destroy`, `exported`) sends nothing: the shared
 * post-filter applies it to the mapped Activities.
 */
export const eventTypeFor = (action: string | undefined): string | undefined => {
  if (action === undefined) return undefined
  if (!isUnifiedAction(action)) return action
  const raw = Object.entries(SINGLE_TYPE_ACTIONS).filter(([, unified]) => unified === action)
  return raw.length === 1 ? raw[0]?.[0] : undefined
}

/** False when no Asana event maps to the unified `action` (`updated`, `user_joined`): nothing is asked. */
export const canMatch = (filters: ActivityFilters): boolean =>
  filters.action === undefined || canHoldAction(filters.action as UnifiedAction)

/** Asana's form of an instant: ISO 8601, UTC, milliseconds. */
const asanaTime = (ms: number): string => new Date(ms).toISOString()

/** The filters of every request of a read (Asana wants the offset sent "with the same filters"). */
export const filterQuery = (
  filters: ActivityFilters,
  from: number | undefined,
  limit: number,
): Record<string, string> => {
  const eventType = eventTypeFor(filters.action)
  return {
    limit: String(clampLimit(limit, AUDIT_LOG_PAGE_SIZE)),
    ...(from === undefined || Number.isNaN(from) ? {} : { start_at: asanaTime(from) }),
    ...(filters.actor_id === undefined ? {} : { actor_gid: filters.actor_id }),
    ...(eventType === undefined ? {} : { event_type: eventType }),
  }
}

/**
 * The stream's position (the shared ResumableCursor): the latest `next_page.offset` as its cursor, the `start_at`
 * a time restart issued it under (Asana takes an offset only with the filters it came from), and for the time
 * fallback the latest `created_at` read with the gids read at exactly that instant.
 */
export type AsanaPosition = ResumableCursor

/** A stored offset Asana refused: a 400 (bad or expired offset token). */
export const isOffsetRefused = (error: ProviderError): boolean =>
  error._tag === "ProviderRejected" && error.status === 400

const call = (query: PageQuery, params: Record<string, string>): ProviderCall => ({
  target: auditLogPath(workspaceOf(query.settings)),
  query: params,
})

const eventKey = (raw: unknown): RecordKey | undefined => {
  const fields = raw as { readonly gid?: unknown; readonly created_at?: unknown } | null
  const time = typeof fields?.created_at === "string" ? toUtcInstant(fields.created_at) : undefined
  return typeof fields?.gid === "string" && fields.gid !== "" && time !== undefined
    ? { id: fields.gid, ms: Date.parse(time) }
    : undefined
}

/** The audit log paged by `offset`, restarted from the position's time when Asana refuses the offset. */
export const auditLogPaging = resumableCursor({
  integration: "asana",
  page: AsanaAuditLogPage,
  records: (page) => page.data,
  token: (page) => page.next_page?.offset,
  // Caught up is an empty `data`; without a next offset there is nothing more to ask for now.
  hasMore: (page) => page.data.length > 0 && Boolean(page.next_page?.offset),
  keyOf: eventKey,
  start: (from, query) => call(query, filterQuery(query.filters, from, query.limit)),
  next: (offset, query, issuedFrom) =>
    call(query, { ...filterQuery(query.filters, issuedFrom, query.limit), offset }),
  sentCursor: (url) => url.searchParams.has("offset"),
  cursorBoundToQuery: true,
  refused: isOffsetRefused,
})
