import type { ProviderAdapter } from "../ProviderAdapter.ts"
import { ZendeskCredentials } from "./credentials.ts"
import { auditLogs } from "./streams/auditLogs.ts"

/**
 * Zendesk Support Audit Logs API (`GET /api/v2/audit_logs`, Enterprise plans, admins). The host is the tenant's
 * `{subdomain}.zendesk.com` (or a host-mapped domain), so there is no default base URL. Zendesk keeps the whole
 * history, so there is no retention limit. Rate limits (per minute, by plan, `X-Rate-Limit`/`X-Rate-Limit-Remaining`,
 * 429 with `Retry-After`) are waited out by ProviderHttp.
 *
 * Assumed where Zendesk does not say: a record without `actor_id` is the system's (which id Zendesk gives system
 * actors is undocumented). Filters no record can match (an action Zendesk never records, such as `login_failed`;
 * a non-numeric id) answer an empty page without a request rather than a 400: the spec accepts every filter for
 * Zendesk, and the answer is the truthful one. `entity` without `entity_type`, which Zendesk itself refuses, is
 * read for without it and kept by the shared post-filter.
 */
export const zendesk = {
  integration: "zendesk",
  capabilities: {
    filters: ["created_at", "actor_id", "action", "entity", "entity_type", "ip_address"],
    requiredFilters: [],
  },
  credentials: ZendeskCredentials,
  streams: [auditLogs],
} as const satisfies ProviderAdapter
