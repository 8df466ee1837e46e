import { Option, Schema } from "effect"
import type { UnifiedAction } from "../../domain/Activity.ts"
import type { FilterName } from "../../domain/ActivityFilters.ts"
import { AtlassianErrors, type AtlassianEventsPage } from "./AtlassianEvent.ts"

// The request side of Atlassian's organization events (Organizations REST API "Events"; the "Poll events"
// migration guide), on `https://api.atlassian.com`:
// - `GET /admin/v1/orgs/{orgId}/events-stream`, the endpoint Atlassian recommends for reading everything:
//   `from`/`to` (epoch ms, on event time), `limit` (default 200), `sortOrder` (`asc` default, by processing
//   time, kept inside the cursor), `cursor`. A cursor comes back even on the last page; asking with it later
//   returns what was processed since. No `action` (or any other) filter: an `action` filter is the shared
//   post-filter's job, on the mapped Activity.
// - `GET /admin/v1/orgs/{orgId}/events`: adds `action` (one key), `actor`, `ip`, `product`, `q`, but is
//   newest-first by event time and limited to 10 requests a minute per user and per path since May 2025.
//
// Rate limits (the admin APIs' intro pages): 429 when over, with `X-RateLimit-Limit`, `X-RateLimit-Remaining`
// and `X-RateLimit-Reset`, the reset an ISO 8601 UTC date-time. No number is published for `/events-stream`,
// and `Retry-After` is not documented.

export const eventsStreamPath = (orgId: string): string =>
  `/admin/v1/orgs/${encodeURIComponent(orgId)}/events-stream`
export const eventsPath = (orgId: string): string => `/admin/v1/orgs/${encodeURIComponent(orgId)}/events`
export const eventActionsPath = (orgId: string): string =>
  `/admin/v1/orgs/${encodeURIComponent(orgId)}/event-actions`

/** Filters `/events-stream` takes itself: time only. `action` is the shared post-filter's, on the mapped Activity. */
export const EVENTS_STREAM_PUSHED_DOWN: ReadonlyArray<FilterName> = ["created_at"]

/**
 * Whether any event can carry the unified `action`: only actions some known key maps to. Where none does
 * (`login_failed`, `user_invited`…), a read would only spend the quota to find nothing.
 */
export const canMatchAction = (
  action: UnifiedAction | undefined,
  actionKeys: Readonly<Record<string, UnifiedAction>>,
): boolean => action === undefined || Object.values(actionKeys).includes(action)

/** The documented default page size; Atlassian states no maximum, so a read never asks for more. */
export const EVENTS_STREAM_PAGE_SIZE = 200
/** `/events` only (effective end of May 2025): per user, and per API path. */
export const EVENTS_QUERY_REQUESTS_PER_MINUTE = 10

export const clampLimit = (limit: number): number =>
  Math.min(EVENTS_STREAM_PAGE_SIZE, Math.max(1, Math.floor(limit)))

/** The first request of a stream read: events at or after `fromMs` (event time), oldest processed first. */
export const startQuery = (options: {
  readonly fromMs: number
  readonly toMs?: number
  readonly limit: number
}): URLSearchParams =>
  new URLSearchParams({
    from: String(Math.floor(options.fromMs)),
    ...(options.toMs === undefined ? {} : { to: String(Math.floor(options.toMs)) }),
    limit: String(clampLimit(options.limit)),
    sortOrder: "asc",
  })

/** Every later request: the cursor alone (it carries the order and the bounds), and the page size. */
export const cursorQuery = (cursor: string, limit: number): URLSearchParams =>
  new URLSearchParams({ cursor, limit: String(clampLimit(limit)) })

/** The page's cursor: `meta.next`, else the `cursor` of `links.next`; undefined when the page has neither. */
export const nextCursorOf = (page: AtlassianEventsPage): string | undefined => {
  if (page.meta?.next) return page.meta.next
  const link = page.links?.next ? URL.parse(page.links.next, "https://api.atlassian.com") : null
  const cursor = link?.searchParams.get("cursor")
  return cursor ? cursor : undefined
}

/** The admin API's codes out of an error body, for a readable failure. */
export const describeError = (body: unknown): { code?: string; message?: string } =>
  Option.match(Schema.decodeUnknownOption(AtlassianErrors)(body), {
    onNone: () => ({}),
    onSome: ({ errors: [first] }) => ({
      ...(first?.code ? { code: first.code } : {}),
      ...(first?.title || first?.detail
        ? { message: [first.title, first.detail].filter(Boolean).join(": ") }
        : {}),
    }),
  })

/** Atlassian refused the cursor (`ADMIN-400-1`): the read restarts from the position's time (`restartQuery`). */
export const isCursorRejected = (status: number, body: unknown): boolean =>
  status === 400 && describeError(body).code === "ADMIN-400-1"

type Headers = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
const header = (headers: Headers, name: string): string | undefined => {
  const value = headers[name] ?? headers[name.toLowerCase()]
  return typeof value === "string" ? value : value?.[0]
}

/**
 * When the quota resets, in epoch ms: `X-RateLimit-Reset` is an ISO 8601 date-time here (grove parses it as
 * `%Y-%m-%dT%H:%M%z`), not the epoch seconds the GitHub-style family uses; `Retry-After` wins when present.
 */
export const rateLimitResetAt = (headers: Headers, nowMs: number): number | undefined => {
  const retryAfter = header(headers, "retry-after")
  if (retryAfter !== undefined && /^\d+$/.test(retryAfter.trim())) return nowMs + Number(retryAfter) * 1000
  const reset = header(headers, "x-ratelimit-reset")
  if (reset === undefined) return undefined
  const at = Date.parse(reset)
  return Number.isNaN(at) ? undefined : at
}

/** Requests one poll may spend against a per-minute quota (the `/events` 10, or a stream quota once known). */
export const requestsPerPoll = (intervalMs: number, perMinute: number): number =>
  Math.max(0, Math.floor((perMinute * intervalMs) / 60_000))
