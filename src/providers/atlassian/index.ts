import { pendingAdapter } from "../pendingAdapter.ts"
import { AtlassianCredentials } from "./credentials.ts"

/** Atlassian organization audit log (admin API `GET /admin/v1/orgs/{orgId}/events-stream`). */
export const atlassian = pendingAdapter({
  integration: "atlassian",
  capabilities: {
    filters: ["created_at", "action"],
    requiredFilters: [],
  },
  defaultBaseUrl: "https://api.atlassian.com",
  credentials: AtlassianCredentials,
})
