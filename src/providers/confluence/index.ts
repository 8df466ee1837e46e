import { pendingAdapter } from "../pendingAdapter.ts"
import { ConfluenceCredentials } from "./credentials.ts"

/** Confluence Cloud audit records (`GET /wiki/rest/api/audit`). The host is the tenant's own site, so there is no default base URL. */
export const confluence = pendingAdapter({
  integration: "confluence",
  capabilities: {
    filters: ["created_at"],
    requiredFilters: [],
  },
  credentials: ConfluenceCredentials,
})
