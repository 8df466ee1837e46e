import { Duration } from "effect"
import type { ProviderAdapter } from "../ProviderAdapter.ts"
import { FIGMA_RETENTION } from "./activityLogsPaging.ts"
import { FigmaCredentials } from "./credentials.ts"
import { FigmaSettings } from "./settings.ts"
import { activityLogs } from "./streams/activityLogs.ts"
import { figmaTokenGrant } from "./tokenGrant.ts"

/**
 * Figma Activity Logs API (`GET /v1/activity_logs`), Enterprise organizations only, authorized by an org admin
 * with an OAuth token whose only scope is `org:activity_log_read` (no personal access tokens). The token is
 * bound to one organization, so the account needs no `organization_id`.
 *
 * Assumed where Figma does not say:
 * - the sign-in/out action types are `user_sign_in` / `user_sign_out` (see `FigmaActionTypes`);
 * - a cursor Figma refuses is answered 400 with a message naming the cursor; the read then starts again from
 *   the latest second read, dropping the ids already read there;
 * - the cursor follows the order events were logged in, so one logged late still comes after it;
 * - the quota: Tier 3's lowest budget, 10 requests a minute, is what `minPollInterval` keeps a caught-up
 *   account's polls within; a read that pages further is held to Figma's 429 and Retry-After.
 */
export const figma = {
  integration: "figma",
  capabilities: {
    filters: ["created_at", "action"],
    requiredFilters: [],
    actions: ["login", "logout", "user_created", "user_deleted"],
  },
  historyRetention: FIGMA_RETENTION,
  minPollInterval: Duration.seconds(6),
  defaultBaseUrl: "https://api.figma.com",
  credentials: FigmaCredentials,
  tokenGrant: figmaTokenGrant,
  settings: FigmaSettings,
  streams: [activityLogs],
} as const satisfies ProviderAdapter
