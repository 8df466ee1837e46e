import { pendingAdapter } from "../pendingAdapter.ts"
import { ZendeskCredentials } from "./credentials.ts"

/** Zendesk Support Audit Logs API (`GET /api/v2/audit_logs`). The host is the tenant's `{subdomain}.zendesk.com`, so there is no default base URL. */
export const zendesk = pendingAdapter({
  integration: "zendesk",
  capabilities: {
    filters: ["created_at", "actor_id", "action", "entity", "entity_type", "ip_address"],
    requiredFilters: [],
  },
  credentials: ZendeskCredentials,
})
