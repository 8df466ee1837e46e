import { Duration } from "effect"
import type { ProviderAdapter } from "../ProviderAdapter.ts"
import { OktaCredentials } from "./credentials.ts"
import { systemLog } from "./streams/systemLog.ts"
import { oktaTokenGrant } from "./tokenGrant.ts"

/**
 * Okta's System Log, one stream. No default base URL: every org has its own domain, so each account's config
 * supplies `base_url`.
 */
export const okta = {
  integration: "okta",
  // The spec: created_at, actor_id and action supported, none required, every action value accepted.
  capabilities: { filters: ["created_at", "actor_id", "action"], requiredFilters: [] },
  credentials: OktaCredentials,
  // Okta's System Log reference (https://developer.okta.com/docs/reference/api/system-log/): events are kept 90 days.
  historyRetention: Duration.days(90),
  tokenGrant: oktaTokenGrant,
  streams: [systemLog],
} as const satisfies ProviderAdapter
