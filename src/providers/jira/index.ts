import { pendingAdapter } from "../pendingAdapter.ts"
import { JiraCredentials } from "./credentials.ts"

/** Jira Cloud audit records (`GET /rest/api/3/auditing/record`). The host is the tenant's own site, so there is no default base URL. */
export const jira = pendingAdapter({
  integration: "jira",
  capabilities: {
    filters: ["created_at"],
    requiredFilters: [],
  },
  credentials: JiraCredentials,
})
