import { pendingAdapter } from "../pendingAdapter.ts"
import { SalesforceCredentials } from "./credentials.ts"
import { SalesforceSettings } from "./settings.ts"
import { salesforceTokenGrant } from "./tokenGrant.ts"

/** Salesforce LoginHistory and SetupAuditTrail through the SOQL query API. The host is the org's own `instance_url`, so there is no default base URL. */
export const salesforce = pendingAdapter({
  integration: "salesforce",
  capabilities: {
    filters: ["created_at", "actor_id"],
    requiredFilters: [],
  },
  credentials: SalesforceCredentials,
  tokenGrant: salesforceTokenGrant,
  settings: SalesforceSettings,
})
