import { Duration } from "effect"
import type { ProviderAdapter } from "../ProviderAdapter.ts"
import { fetchPage } from "./fetchPage.ts"
import { OktaCredentials } from "./OktaCredentials.ts"
import { OktaLogEvent } from "./OktaLogEvent.ts"
import { OktaPosition } from "./OktaPosition.ts"
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
  // okta.md §4 and Okta's System Log reference: events are kept 90 days.
  historyRetention: Duration.days(90),
  tokenGrant: oktaTokenGrant,
  record: OktaLogEvent,
  position: OktaPosition,
  toActivity,
  fetchPage,
}
