import type { PageQuery } from "../paging/Paginator.ts"

// The request side of GitHub's organization audit log (REST reference "Get the audit log for an organization";
// the enterprise guide "Using the audit log API" for the Link header): `GET /orgs/{org}/audit-log` with
// - `phrase`: search qualifiers joined by spaces (`+` in the URL): `created:>=2026-03-15T09:00:00Z`, `action:…`.
//   `created` filters on when the event occurred (`@timestamp`), to the second;
// - `order=asc` (oldest first; the default is `desc`), `per_page` up to 100 (default 30);
// - `include`: `web` (default), `git` or `all`;
// - `after` / `before`: cursors GitHub hands out in the `Link` header; `rel="next"` is absent on the last page.
// GitHub's links name the organization by id (`/organizations/{org_id}/audit-log`, `/enterprises/13827/…` in
// its own example) and were seen to mangle the `phrase` they carry, so a read does not follow them verbatim:
// it takes the `after` cursor out of `rel="next"` and sends its own query with it (the link-header
// paginator's `cursorParams`).
//
// The spec supports no filter for GitHub but `organization_id` (the path): no `actor:` or `action:` reaches
// GitHub from a request. The time bounds are the watermark read's own, not a user filter.

export const AUDIT_LOG_MAX_PER_PAGE = 100

export const auditLogPath = (org: string): string => `/orgs/${encodeURIComponent(org)}/audit-log`

/** Any organization's audit-log path: the paths the stream's requests may take. */
export const isAuditLogPath = (pathname: string): boolean => /^\/orgs\/[^/]+\/audit-log$/.test(pathname)

/** The organization an account reads: its configured `organization_id` (required for GitHub). */
export const organizationOf = (settings: Readonly<Record<string, string>> | undefined): string =>
  settings?.organization_id ?? ""

const SECOND = 1000
const floorToSecond = (ms: number): number => Math.floor(ms / SECOND) * SECOND

/** An instant as the search syntax takes it: whole seconds, UTC, `Z` (`2026-03-15T09:00:00Z`). */
export const phraseTime = (ms: number): string =>
  new Date(floorToSecond(ms)).toISOString().replace(/\.\d{3}Z$/, "Z")

/**
 * The `phrase` of a read of `[from, to)` (epoch ms): `created:>=` the second holding `from` and `created:<=`
 * the second holding the last millisecond before `to`. The qualifier is second-grained and inclusive, so the
 * answer can hold events of those two seconds outside the range: the watermark read drops them.
 */
export const auditLogPhrase = (from: number | undefined, to: number | undefined): string =>
  [
    ...(from === undefined ? [] : [`created:>=${phraseTime(from)}`]),
    ...(to === undefined ? [] : [`created:<=${phraseTime(to - 1)}`]),
  ].join(" ")

/** The first request of a read: its own time range, oldest first, web events (the org's, not Git's). */
export const auditLogQueryParams = (query: PageQuery): Readonly<Record<string, string>> => ({
  phrase: auditLogPhrase(query.from, query.to),
  include: "web",
  order: "asc",
  per_page: String(query.limit),
})

/** Request headers beside Authorization: GitHub's media type and the API version this client was written for. */
export const AUDIT_LOG_HEADERS = {
  Accept: "application/vnd.github+json",
  "X-GitHub-Api-Version": "2022-11-28",
} as const
