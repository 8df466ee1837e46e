import type { ProviderAdapter } from "../ProviderAdapter.ts"
import { HubSpotCredentials } from "./credentials.ts"
import { HubSpotSettings } from "./settings.ts"
import { auditLogs } from "./streams/auditLogs.ts"
import { loginHistory } from "./streams/loginHistory.ts"
import { securityActivity } from "./streams/securityActivity.ts"
import { hubspotTokenGrant } from "./tokenGrant.ts"

/**
 * HubSpot account activity API (`https://api.hubapi.com`, the account implied by the token; scope
 * `account-info.security.read`): login history, security activity and, where the account opts in with
 * `settings.audit_logs: true`, the audit log (Enterprise accounts only; any other answers 403, which the account's
 * error explains), each its own stream. Credentials: a private-app or OAuth access token (Bearer), or an OAuth
 * refresh token with the app's client id and secret (exchanged at `settings.token_url`, default
 * `https://api.hubapi.com/oauth/v1/token`). Rate limits (100–190 requests per rolling 10 s by tier,
 * `X-HubSpot-RateLimit-Remaining` and `-Interval-Milliseconds`, 429 without `Retry-After`) are waited out by
 * ProviderHttp: no quota left, or a 429, waits one whole interval. The daily limit (`X-HubSpot-RateLimit-Daily`
 * and `-Daily-Remaining`, private apps) is budgeted there too, by `provider.daily_allocation_share`.
 *
 * Assumed where HubSpot does not say: a login record without `userId` is an anonymous attempt; security
 * `fromTimestamp`/`toTimestamp` are epoch milliseconds, inclusive; neither list's order is documented, so each
 * read sorts. Audit log: oldest first with `sort=occurredAt` (documented); whether `occurredAfter`/
 * `occurredBefore` are inclusive is not, so the request covers the range either way and the shared read trims it;
 * its page maximum is not stated (100 is asked); `DELETE` → `destroy` is assumed to be a value; the only login
 * subcategory mapped is `LOGIN_SUCCEEDED` (no failed-login one is documented); the 403 body of a lower tier is not
 * documented (any 403 there is read as it). An `actor_id` that is not a HubSpot user id (digits) matches nothing
 * and nothing is asked (the contract has no per-integration 400 for a filter's value).
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
  streams: [loginHistory, securityActivity, auditLogs],
} as const satisfies ProviderAdapter
