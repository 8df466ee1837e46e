import type { ProviderAdapter } from "../ProviderAdapter.ts"
import { fetchPage } from "./fetchPage.ts"
import { OktaCredentials } from "./OktaCredentials.ts"
import { OktaLogEvent } from "./OktaLogEvent.ts"
import { OktaPosition } from "./OktaPosition.ts"
import { startOktaSimulator } from "./OktaSimulator.ts"
import { toActivity } from "./toActivity.ts"
import { oktaTokenGrant } from "./tokenGrant.ts"

/**
 * Okta's System Log (`GET /api/v1/logs`), tailed in Okta's documented polling mode. No default base URL:
 * every org has its own domain, so each account's config supplies `base_url`.
 */
export const okta: ProviderAdapter<OktaLogEvent, OktaPosition> = {
  integration: "okta",
  // The spec: created_at, actor_id and action supported, none required, every action value accepted.
  capabilities: { filters: ["created_at", "actor_id", "action"], requiredFilters: [] },
  credentials: OktaCredentials,
  tokenGrant: oktaTokenGrant,
  record: OktaLogEvent,
  position: OktaPosition,
  toActivity,
  fetchPage,
  simulator: startOktaSimulator,
}
