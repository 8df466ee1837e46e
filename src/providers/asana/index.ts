import { pendingAdapter } from "../pendingAdapter.ts"
import { AsanaCredentials } from "./credentials.ts"

/** Asana Audit Log API (`GET /api/1.0/workspaces/{workspace_gid}/audit_log_events`); the workspace is the required `organization_id`. */
export const asana = pendingAdapter({
  integration: "asana",
  capabilities: {
    filters: ["organization_id", "created_at", "actor_id", "action"],
    requiredFilters: ["organization_id"],
  },
  defaultBaseUrl: "https://app.asana.com",
  credentials: AsanaCredentials,
})
