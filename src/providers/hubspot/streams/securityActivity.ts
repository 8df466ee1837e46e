import type { ActivityStream } from "../../ActivityStream.ts"
import { bodyCursor, type CursorToken } from "../../paging/bodyCursor.ts"
import {
  readHubSpotPage,
  SECURITY_PUSHED_DOWN,
  SETTLE,
  securityCall,
  securityCanMatch,
} from "../activityQuery.ts"
import { describeHubSpotError, HubSpotSecurityActionRead, SECURITY_PATH } from "../HubSpotActivity.ts"
import { securityToActivity } from "../toActivity.ts"

/**
 * `GET /account-info/v3/activity/security`: critical actions (users added, removed, deactivated; exports; 2FA
 * changes; key views). Tailed by a watermark on `createdAt`: each poll asks `fromTimestamp` = the watermark and
 * `toTimestamp` = now − SETTLE, pages `after` to the end, and the shared read drops the ids already emitted at the
 * watermark's instant. Order undocumented, so the read sorts.
 */
export const securityActivity: ActivityStream<HubSpotSecurityActionRead, CursorToken> = {
  name: "security_activity",
  record: HubSpotSecurityActionRead,
  toActivity: securityToActivity,
  order: "unsorted",
  tail: { mode: "watermark", settle: SETTLE },
  paging: bodyCursor({
    integration: "hubspot",
    first: (query) => securityCall(query),
    next: (token, query) => securityCall(query, token),
    read: readHubSpotPage,
  }),
  pushedDown: SECURITY_PUSHED_DOWN,
  canMatch: securityCanMatch,
  paths: [SECURITY_PATH],
  describeError: describeHubSpotError,
}
