import type { ProviderAdapter } from "../ProviderAdapter.ts"
import { OktaCredentials } from "./credentials.ts"
import { OKTA_RETENTION } from "./startQuery.ts"
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
  historyRetention: OKTA_RETENTION,
  tokenGrant: oktaTokenGrant,
  streams: [systemLog],
} as const satisfies ProviderAdapter
