import type { FilterName } from "../../domain/ActivityFilters.ts"
import { nextLink } from "../paging/nextLink.ts"

// The request side of GitHub's organization audit log (REST reference "Get the audit log for an organization";
// the enterprise guide "Using the audit log API" for the Link header): `GET /orgs/{org}/audit-log` with
// - `phrase`: search qualifiers joined by spaces (`+` in the URL): `created:>=2026-03-15T09:00:00Z`, `action:…`.
//   `created` filters on when the event occurred (`@timestamp`), to the second;
// - `order=asc` (oldest first; the default is `desc`), `per_page` up to 100 (default 30);
// - `include`: `web` (default), `git` or `all`;
// - `after` / `before`: cursors GitHub hands out in the `Link` header; `rel="next"` is absent on the last page.
// GitHub's links name the organization by id (`/organizations/{org_id}/audit-log`, `/enterprises/13827/…` in
// its own example) and were seen to mangle the `phrase` they carry, so a read does not follow them verbatim:
// it takes the `after` cursor out of `rel="next"` and sends its own query with it.
//
// The spec supports no filter for GitHub but `organization_id` (the path): no `actor:` or `action:` reaches
// GitHub from a request. The time bounds are the tail's own, not a user filter.

/** No spec filter reaches GitHub's query (`organization_id` is the path); the tail's time bounds are its own. */
export const AUDIT_LOG_PUSHED_DOWN: ReadonlyArray<FilterName> = []

export const AUDIT_LOG_MAX_PER_PAGE = 100
/** GitHub's default when `per_page` is left out. */
export const AUDIT_LOG_DEFAULT_PER_PAGE = 30

/** `include` values. Git events (clone, push, fetch) are kept 7 days and say nothing about the user directory. */
export type AuditLogInclude = "web" | "git" | "all"

export const auditLogPath = (org: string): string => `/orgs/${encodeURIComponent(org)}/audit-log`

/** The paths a read may take: the one it starts on and the id-based form GitHub's own links use. */
export const isAuditLogPath = (pathname: string, org: string): boolean =>
  pathname === auditLogPath(org) || /^\/organizations\/\d+\/audit-log$/.test(pathname)

const SECOND = 1000
export const floorToSecond = (ms: number): number => Math.floor(ms / SECOND) * SECOND

/** An instant as the search syntax takes it: whole seconds, UTC, `Z` (`2026-03-15T09:00:00Z`). */
export const phraseTime = (ms: number): string =>
  new Date(floorToSecond(ms)).toISOString().replace(/\.\d{3}Z$/, "Z")

/** One read's time range: `[sinceMs, untilMs)`, both on whole seconds. */
export interface AuditLogWindow {
  readonly sinceMs: number
  readonly untilMs: number
}

/**
 * The range one poll may read: from the position's second up to `now − settle`, rounded down to a second.
 * GitHub backfills events late without a documented bound; events newer than the settle window are left for a
 * later poll, which still starts at the position and so still finds them. Undefined when nothing has settled
 * since the position.
 */
export const readWindow = (sinceMs: number, nowMs: number, settleMs: number): AuditLogWindow | undefined => {
  const since = floorToSecond(sinceMs)
  const until = floorToSecond(nowMs - settleMs)
  return until > since ? { sinceMs: since, untilMs: until } : undefined
}

/** The default settle window: GitHub documents no lag; grove and Elastic both leave the last minutes alone. */
export const DEFAULT_SETTLE_MS = 5 * 60 * 1000

/**
 * The `phrase` of a read: `created:>=` its first second and `created:<=` its last (the qualifier is inclusive
 * and second-grained, so `[since, until)` is `>= since` and `<= until − 1 s`). `actions` narrows to those
 * actions (repeated `action:` qualifiers match any of them); the spec never asks for it, an operator may.
 */
export const auditLogPhrase = (window: AuditLogWindow, actions: ReadonlyArray<string> = []): string =>
  [
    `created:>=${phraseTime(window.sinceMs)}`,
    `created:<=${phraseTime(window.untilMs - SECOND)}`,
    ...actions.map((action) => `action:${action}`),
  ].join(" ")

export interface AuditLogQuery {
  readonly window: AuditLogWindow
  readonly perPage: number
  readonly include?: AuditLogInclude
  readonly actions?: ReadonlyArray<string>
}

export const clampPerPage = (limit: number): number =>
  Math.min(AUDIT_LOG_MAX_PER_PAGE, Math.max(1, Math.floor(limit)))

/** The query string of one page of a read: the read's own parameters, plus GitHub's `after` cursor after the first. */
export const auditLogQueryParams = (query: AuditLogQuery, after?: string): URLSearchParams =>
  new URLSearchParams({
    phrase: auditLogPhrase(query.window, query.actions),
    include: query.include ?? "web",
    order: "asc",
    per_page: String(clampPerPage(query.perPage)),
    ...(after ? { after } : {}),
  })

/** Request headers beside Authorization: GitHub's media type and the API version this client was written for. */
export const AUDIT_LOG_HEADERS = {
  Accept: "application/vnd.github+json",
  "X-GitHub-Api-Version": "2022-11-28",
} as const

type HeaderValue = string | ReadonlyArray<string> | undefined

/**
 * The `after` cursor of the `rel="next"` link, or undefined on the last page. GitHub writes empty `after=` and
 * `before=` into its other relations; an empty one is no cursor.
 */
export const nextAfterCursor = (link: HeaderValue): string | undefined => {
  const target = nextLink(link)
  if (target === undefined) return undefined
  const url = URL.parse(target, "https://api.github.com")
  const after = url?.searchParams.get("after")
  return after ? after : undefined
}
