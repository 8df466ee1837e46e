import type { ProviderAdapter } from "../ProviderAdapter.ts"
import { HubSpotCredentials } from "./credentials.ts"
import { HubSpotSettings } from "./settings.ts"
import { loginHistory, securityActivity } from "./streams.ts"
import { hubspotTokenGrant } from "./tokenGrant.ts"

/**
 * HubSpot account activity API (`https://api.hubapi.com`, the account implied by the token; scope
 * `account-info.security.read`): login history and security activity, each its own stream. Credentials: a
 * private-app or OAuth access token (Bearer), or an OAuth refresh token with the app's client id and secret
 * (exchanged at `settings.token_url`, default `https://api.hubapi.com/oauth/v1/token`). Rate limits (100–190
 * requests per rolling 10 s by tier, `X-HubSpot-RateLimit-Remaining` and `-Interval-Milliseconds`, 429 without
 * `Retry-After`) are waited out by ProviderHttp: no quota left, or a 429, waits one whole interval.
 *
 * Assumed where HubSpot does not say: a login record without `userId` is an anonymous attempt; security
 * `fromTimestamp`/`toTimestamp` are epoch milliseconds, inclusive; neither list's order is documented, so each
 * read sorts. An `actor_id` that is not a HubSpot user id (digits) matches nothing and nothing is asked (the
 * contract has no per-integration 400 for a filter's value). Not built: the audit-log stream
 * (`/account-info/v3/activity/audit-logs`, Enterprise only).
 */
export const hubspot = {
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
  streams: [loginHistory, securityActivity],
} as const satisfies ProviderAdapter
