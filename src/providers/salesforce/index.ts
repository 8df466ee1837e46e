import { Duration } from "effect"
import type { ProviderAdapter } from "../ProviderAdapter.ts"
import { SalesforceCredentials } from "./credentials.ts"
import { SalesforceSettings } from "./settings.ts"
import { loginHistory } from "./streams/loginHistory.ts"
import { setupAuditTrail } from "./streams/setupAuditTrail.ts"
import { salesforceTokenGrant } from "./tokenGrant.ts"

/**
 * Salesforce LoginHistory and SetupAuditTrail through the SOQL query API. The host is the org's own instance
 * (My Domain, the token response's `instance_url`), so there is no default base URL; the REST API version is
 * pinned per account (`settings.api_version`, default 62.0).
 *
 * Assumed where Salesforce does not say: rows become visible in time order within the 30 s settle window (no
 * delay is documented for either object); an expired query locator fails the read, and the next poll queries
 * again from the watermark. Which user a null `CreatedById` is (the system, here) is not documented. The daily
 * API allocation is the org's, shared with its other integrations: ProviderHttp reads `Sforce-Limit-Info` on
 * every answer and, once usage reaches `provider.daily_allocation_share` of it (80 % by default), sends nothing
 * for the account for an hour, then probes once. A spent allocation (403 REQUEST_LIMIT_EXCEEDED) is a rate
 * limit of an hour too; the pipeline waits it out, the endpoint answers it with `retry-after`.
 */
export const salesforce = {
  integration: "salesforce",
  capabilities: {
    filters: ["created_at", "actor_id"],
    requiredFilters: [],
  },
  credentials: SalesforceCredentials,
  tokenGrant: salesforceTokenGrant,
  settings: SalesforceSettings,
  historyRetention: Duration.days(180),
  streams: [loginHistory, setupAuditTrail],
} as const satisfies ProviderAdapter
