import { Duration } from "effect"
import type { ProviderAdapter } from "../ProviderAdapter.ts"
import { AsanaCredentials } from "./credentials.ts"
import { AUDIT_LOG_RETENTION, auditLogEvents } from "./streams/auditLogEvents.ts"

/**
 * Asana Audit Log API (`GET /api/1.0/workspaces/{workspace_gid}/audit_log_events`; Enterprise+ or the
 * Compliance Management add-on, Service Account tokens). The workspace is the required `organization_id`: the
 * account's configured gid, digits only (a request's `organization_id` must equal it), so neither the config
 * nor a request can change the path or the host.
 *
 * Rate limits are per token, in minute windows: 150 requests a minute on free domains, 1,500 on paid ones
 * (the audit log needs a paid one). A 429 carries `Retry-After` (seconds), which ProviderHttp waits out; Asana
 * sends no X-RateLimit headers. A caught-up poll is one request, so polls at least a second apart spend at
 * most 60 a minute, under even the free quota, leaving the rest for pages of new events and the endpoint.
 *
 * Assumed where Asana does not say:
 * - pages hold at most 100 events (the OAS's `limit` range; the prose's default of 1,000 is not relied on);
 * - any 400 to a request carrying a stored offset is the offset refused (expired or invalid; Asana documents
 *   that offsets expire, not the message): the read restarts from the latest `created_at` read, inclusive,
 *   dropping the gids already read at it. An event captured after the refused offset but created before that
 *   instant is then missed;
 * - the offset follows capture order, so an event captured late still comes after it ("querying again … may
 *   return new events if they were captured after the last request");
 * - `external_administrator` actors are people (`user`); `asana` and `asana_support` are the system.
 */
export const asana = {
  integration: "asana",
  // The spec: organization_id (required), created_at, actor_id, action; every action value accepted (those
  // no Asana event maps to match nothing).
  capabilities: {
    filters: ["organization_id", "created_at", "actor_id", "action"],
    requiredFilters: ["organization_id"],
  },
  defaultBaseUrl: "https://app.asana.com",
  credentials: AsanaCredentials,
  historyRetention: AUDIT_LOG_RETENTION,
  minPollInterval: Duration.seconds(1),
  streams: [auditLogEvents],
} as const satisfies ProviderAdapter
