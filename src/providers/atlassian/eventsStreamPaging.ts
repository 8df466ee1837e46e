import { Option, Schema } from "effect"
import { toUtcInstant, type UnifiedAction } from "../../domain/Activity.ts"
import type { ProviderError } from "../../http/ProviderError.ts"
import { clampLimit, type PageQuery } from "../paging/Paginator.ts"
import { type RecordKey, type ResumableCursor, resumableCursor } from "../paging/resumableCursor.ts"
import { AtlassianErrors, AtlassianEventsPage } from "./AtlassianEvent.ts"

// The request side of Atlassian's organization events (Organizations REST API "Events"; the "Poll events"
// migration guide), on `https://api.atlassian.com`:
// - `GET /admin/v1/orgs/{orgId}/events-stream`, the endpoint Atlassian recommends for reading everything:
//   `from`/`to` (epoch ms, on event time), `limit` (default 200), `sortOrder` (`asc` default, by processing
//   time, kept inside the cursor), `cursor`. A cursor comes back even on the last page; asking with it later
//   returns what was processed since. No `action` (or any other) filter: an `action` filter is the shared
//   post-filter's job, on the mapped Activity.
// - `GET /admin/v1/orgs/{orgId}/events`: adds `action` (one key), `actor`, `ip`, `product`, `q`, but is
//   newest-first by event time and limited to 10 requests a minute per user and per path since May 2025: not
//   used.
//
// Rate limits (the admin APIs' intro pages): 429 when over, with `X-RateLimit-Limit`, `X-RateLimit-Remaining`
// and `X-RateLimit-Reset`, the reset an ISO 8601 UTC date-time (read by the shared rate-limit headers). No
// number is published for `/events-stream`, and `Retry-After` is not documented.

export const eventsStreamPath = (orgId: string): string =>
  `/admin/v1/orgs/${encodeURIComponent(orgId)}/events-stream`
export const eventsPath = (orgId: string): string => `/admin/v1/orgs/${encodeURIComponent(orgId)}/events`

/** Any organization's events-stream path: the paths the stream's requests may take. */
export const isEventsStreamPath = (pathname: string): boolean =>
  /^\/admin\/v1\/orgs\/[^/]+\/events-stream$/.test(pathname)

/** The organization an account reads: its configured `organization_id` (required for Atlassian). */
export const organizationOf = (settings: Readonly<Record<string, string>> | undefined): string =>
  settings?.organization_id ?? ""

/**
 * Whether any event can carry the unified `action`. A key the table maps gives its unified value, and any other
 * key passes through unchanged, so a raw key that is itself a unified value (`user_deactivated`) gives that
 * value too. Only a value that is a key of the table and maps to something else can never come out; a read
 * for it would spend the quota to find nothing. Atlassian's keys are not a closed list, so every other value
 * has to be read for.
 */
export const canMatchAction = (
  action: UnifiedAction | undefined,
  actionKeys: Readonly<Record<string, UnifiedAction>>,
): boolean =>
  action === undefined || Object.values(actionKeys).includes(action) || !Object.hasOwn(actionKeys, action)

/** The documented default page size; Atlassian states no maximum, so a read never asks for more. */
export const EVENTS_STREAM_PAGE_SIZE = 200

/**
 * The stream's position (the shared ResumableCursor): Atlassian's cursor, with the latest event time read and the
 * ids read at that instant. The cursor follows processing time, so an event processed late (with an older event
 * time) still comes after it. When Atlassian refuses the cursor (`ADMIN-400-1`) the read starts again with
 * `from` = that instant and drops those ids: an event processed after the refused cursor but timed before that
 * instant is missed: the restart has only event time to go by, and that event is older than it.
 */
export type AtlassianCursor = ResumableCursor

/** The first request of a read: events at or after `from` (event time), oldest processed first. */
export const startQuery = (from: number | undefined, limit: number): Record<string, string> => ({
  ...(from === undefined ? {} : { from: String(Math.floor(from)) }),
  limit: String(clampLimit(limit, EVENTS_STREAM_PAGE_SIZE)),
  sortOrder: "asc",
})

/** The page's cursor: `meta.next`, else the `cursor` of `links.next`; undefined when the page has neither. */
export const nextCursorOf = (page: AtlassianEventsPage): string | undefined => {
  if (page.meta?.next) return page.meta.next
  const link = page.links?.next ? URL.parse(page.links.next, "https://api.atlassian.com") : null
  const cursor = link?.searchParams.get("cursor")
  return cursor ? cursor : undefined
}

/** The body api.atlassian.com's gateway answers a refused key with, before the admin API is reached. */
const GatewayError = Schema.Struct({ message: Schema.String })

/** The admin API's codes out of an error body (or the gateway's message), for a readable failure. */
export const describeError = (body: unknown): { code?: string; message?: string } =>
  Option.match(Schema.decodeUnknownOption(AtlassianErrors)(body), {
    onNone: () =>
      Option.match(Schema.decodeUnknownOption(GatewayError)(body), {
        onNone: () => ({}),
        onSome: ({ message }) => ({ message }),
      }),
    onSome: ({ errors: [first] }) => ({
      ...(first?.code ? { code: first.code } : {}),
      ...(first?.title || first?.detail
        ? { message: [first.title, first.detail].filter(Boolean).join(": ") }
        : {}),
    }),
  })

/** Atlassian refused the cursor: the read starts again from the position's time. */
export const isCursorRefused = (error: ProviderError): boolean =>
  error._tag === "ProviderRejected" && error.status === 400 && error.code === "ADMIN-400-1"

/** The id and event time of a raw event; undefined for one without a usable id or time (it is dead-lettered). */
const eventKey = (raw: unknown): RecordKey | undefined => {
  const fields = raw as { readonly id?: unknown; readonly attributes?: { readonly time?: unknown } } | null
  const time = typeof fields?.attributes?.time === "string" ? toUtcInstant(fields.attributes.time) : undefined
  return typeof fields?.id === "string" && fields.id !== "" && time !== undefined
    ? { id: fields.id, ms: Date.parse(time) }
    : undefined
}

const call = (query: PageQuery, params: Record<string, string>) => ({
  target: eventsStreamPath(organizationOf(query.settings)),
  query: params,
})

/** `/events-stream` paged by its cursor, restarted from the position's event time when the cursor is refused. */
export const eventsStreamPaging = resumableCursor({
  integration: "atlassian",
  page: AtlassianEventsPage,
  records: (page) => page.data ?? [],
  token: nextCursorOf,
  // A cursor comes back even on the last page: an empty page is "caught up for now".
  hasMore: (page) => (page.data ?? []).length > 0,
  keyOf: eventKey,
  start: (from, query) => call(query, startQuery(from, query.limit)),
  // The cursor carries the order and the bounds; only the page size goes with it.
  next: (token, query) =>
    call(query, { cursor: token, limit: String(clampLimit(query.limit, EVENTS_STREAM_PAGE_SIZE)) }),
  sentCursor: (url) => url.searchParams.has("cursor"),
  refused: isCursorRefused,
})
