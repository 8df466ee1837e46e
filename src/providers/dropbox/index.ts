import { Duration } from "effect"
import type { ProviderAdapter } from "../ProviderAdapter.ts"
import { DropboxCredentials } from "./credentials.ts"
import { DropboxSettings } from "./settings.ts"
import { teamEvents } from "./streams/teamEvents.ts"
import { dropboxTokenGrant } from "./tokenGrant.ts"

/**
 * Dropbox Business team log (`POST /2/team_log/get_events` and `/continue`; team auth, `events.read`, Team
 * Auditing). Rate limits: a 429 with `Retry-After` (seconds; the body's `retry_after` says the same) is waited
 * out by ProviderHttp, as are 5xx. Dropbox publishes no number for team_log, so no `minPollInterval` is set.
 *
 * Assumed where Dropbox does not say:
 * - after a cursor `reset` or `bad_cursor`, the read starts again at the latest event second read (the reset's
 *   own timestamp is "approximate"); an event published late with an earlier timestamp, not yet returned by the
 *   refused cursor, is then missed.
 * - an `actor_id` that is not a 40-character AccountId names no member: an empty answer without a request. A
 *   well-formed id Dropbox does not know answers 409 `account_id_not_found` (surfaced as `remote_rejected`).
 * - only `login_success`, `login_fail` and `logout` map to unified actions; every other event type stays raw.
 */
export const dropbox = {
  integration: "dropbox",
  capabilities: {
    filters: ["created_at", "actor_id", "action"],
    requiredFilters: [],
    actions: ["login", "login_failed", "logout"],
  },
  // `get_events`: "Events have a lifespan of two years. Events older than two years will not be returned."
  historyRetention: Duration.days(730),
  defaultBaseUrl: "https://api.dropboxapi.com",
  credentials: DropboxCredentials,
  tokenGrant: dropboxTokenGrant,
  settings: DropboxSettings,
  streams: [teamEvents],
} as const satisfies ProviderAdapter
