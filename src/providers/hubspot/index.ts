import { pendingAdapter } from "../pendingAdapter.ts"
import { HubSpotCredentials } from "./credentials.ts"
import { HubSpotSettings } from "./settings.ts"
import { hubspotTokenGrant } from "./tokenGrant.ts"

/** HubSpot account activity API (`/account-info/v3/activity/login`, `/security`, `/audit-logs`). */
export const hubspot = pendingAdapter({
  integration: "hubspot",
  capabilities: {
    filters: ["created_at", "actor_id", "action"],
    requiredFilters: [],
    actions: ["login"],
  },
  defaultBaseUrl: "https://api.hubapi.com",
  credentials: HubSpotCredentials,
  tokenGrant: hubspotTokenGrant,
  settings: HubSpotSettings,
})
