import { Duration } from "effect"
import type { UnifiedAction } from "../../domain/Activity.ts"
import type { ActivityFilters } from "../../domain/ActivityFilters.ts"
import { failedAttemptFilter } from "./failedSignIns.ts"

/**
 * Okta's System Log reference (https://developer.okta.com/docs/reference/api/system-log/): events are kept 90
 * days; a `since` further back returns nothing more, and past 180 days it is a 400.
 */
export const OKTA_RETENTION = Duration.days(90)
const RETENTION_MS = Duration.toMillis(OKTA_RETENTION)
/** Okta's documented maximum page size. */
export const MAX_LIMIT = 1000

/** A SCIM string literal: `"` and `\` escaped, so a filter value can never end the literal early. */
export const scimString = (value: string): string => `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`

/** Unified actions with an Okta event type behind them; the others match no Okta event. */
const actionFilter: { readonly [A in UnifiedAction]?: string } = {
  login: `eventType eq "user.session.start" and outcome.result eq "SUCCESS"`,
  login_failed: failedAttemptFilter,
  logout: `eventType eq "user.session.end"`,
  user_created: `eventType eq "user.lifecycle.create"`,
  user_deactivated: `eventType eq "user.lifecycle.deactivate"`,
  user_deleted: `eventType eq "user.lifecycle.delete.initiated"`,
}

/** True when the filters ask for an action no Okta event maps to: the answer is empty without asking Okta. */
export const matchesNothing = (filters: ActivityFilters): boolean =>
  filters.action !== undefined && actionFilter[filters.action] === undefined

const sinceFor = (createdAt: string | undefined, now: number): string => {
  const earliest = now - RETENTION_MS
  if (createdAt === undefined) return new Date(earliest).toISOString()
  const requested = Date.parse(createdAt)
  // An unparseable value is sent as given: Okta's own 400 says what is wrong with it.
  if (Number.isNaN(requested)) return createdAt
  // Older than the retention returns nothing more, and beyond 180 days Okta rejects the request.
  return new Date(Math.max(requested, earliest)).toISOString()
}

/**
 * The first request's parameters: a polling request (no `until`, ascending), so Okta's `next` link is always
 * present and following it never skips late-persisted events (System Log reference, "Polling requests":
 * https://developer.okta.com/docs/reference/api/system-log/).
 */
export const startParams = (filters: ActivityFilters, limit: number, now: number): Record<string, string> => {
  const parts = [
    filters.actor_id === undefined ? undefined : `actor.id eq ${scimString(filters.actor_id)}`,
    filters.action === undefined ? undefined : actionFilter[filters.action],
  ].filter((part): part is string => part !== undefined)
  const params: Record<string, string> = {
    since: sinceFor(filters.created_at, now),
    sortOrder: "ASCENDING",
    limit: String(limit),
  }
  if (parts.length === 1) params.filter = parts[0] as string
  if (parts.length > 1) params.filter = parts.map((part) => `(${part})`).join(" and ")
  return params
}
