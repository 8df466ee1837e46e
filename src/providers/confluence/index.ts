import type { ProviderAdapter } from "../ProviderAdapter.ts"
import { ConfluenceCredentials } from "./credentials.ts"
import { auditRecords } from "./streams/auditRecords.ts"

/**
 * Confluence Cloud audit records (`GET /wiki/rest/api/audit`), one stream. No default base URL: the host is the
 * tenant's own site (`https://<site>.atlassian.net`), or the OAuth gateway
 * `https://api.atlassian.com/ex/confluence/<cloudId>`. Rate limits: no number is published for `/audit`; a 429
 * with `Retry-After`, and `X-RateLimit-Remaining` with an ISO 8601 `X-RateLimit-Reset`, are honoured by the
 * shared HTTP client.
 */
export const confluence = {
  integration: "confluence",
  // The spec: created_at only, none required.
  capabilities: { filters: ["created_at"], requiredFilters: [] },
  credentials: ConfluenceCredentials,
  streams: [auditRecords],
} as const satisfies ProviderAdapter
