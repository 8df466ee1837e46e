import type { ProviderAdapter } from "../ProviderAdapter.ts"
import { JiraCredentials } from "./credentials.ts"
import { auditRecords } from "./streams/auditRecords.ts"

/**
 * Jira Cloud audit records (`GET /rest/api/3/auditing/record`), one stream. No default base URL: the host is the
 * tenant's own site (`https://<site>.atlassian.net`), or the OAuth gateway `https://api.atlassian.com/ex/jira/<cloudId>`.
 * Rate limits: no published numbers (burst and cost based); a 429 with `Retry-After`, and `X-RateLimit-Remaining`
 * with an ISO 8601 `X-RateLimit-Reset`, are honoured by the shared HTTP client.
 */
export const jira = {
  integration: "jira",
  // The spec: created_at only, none required.
  capabilities: { filters: ["created_at"], requiredFilters: [] },
  credentials: JiraCredentials,
  streams: [auditRecords],
} as const satisfies ProviderAdapter
