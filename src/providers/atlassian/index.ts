import type { ProviderAdapter } from "../ProviderAdapter.ts"
import { AtlassianCredentials } from "./credentials.ts"
import { eventsStream } from "./streams/eventsStream.ts"

/** Atlassian organization audit log (admin API `GET /admin/v1/orgs/{orgId}/events-stream`). */
export const atlassian = {
  integration: "atlassian",
  // The spec: created_at and action supported, none required, every action value accepted (only the keys
  // the mapping knows can match a unified one; the rest are raw).
  capabilities: {
    filters: ["created_at", "action"],
    requiredFilters: [],
  },
  defaultBaseUrl: "https://api.atlassian.com",
  credentials: AtlassianCredentials,
  // The org id is the path; the spec has no organization_id filter for Atlassian, the config still needs it.
  requiresOrganizationId: true,
  streams: [eventsStream],
} as const satisfies ProviderAdapter
