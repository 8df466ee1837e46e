import { pendingAdapter } from "../pendingAdapter.ts"
import { GitHubCredentials } from "./credentials.ts"

/** GitHub organization audit log (`GET /orgs/{org}/audit-log`); the organization is the required `organization_id`. */
export const github = pendingAdapter({
  integration: "github",
  capabilities: {
    filters: ["organization_id"],
    requiredFilters: ["organization_id"],
  },
  defaultBaseUrl: "https://api.github.com",
  credentials: GitHubCredentials,
})
