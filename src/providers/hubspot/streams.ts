import { Duration } from "effect"
import type { ActivityStream } from "../ActivityStream.ts"
import { bodyCursor, type CursorToken } from "../paging/bodyCursor.ts"
import {
  LOGIN_PUSHED_DOWN,
  loginCall,
  loginCanMatch,
  readHubSpotPage,
  SECURITY_PUSHED_DOWN,
  securityCall,
  securityCanMatch,
} from "./activityQuery.ts"
import {
  describeHubSpotError,
  type HubSpotLogin,
  HubSpotLogin as HubSpotLoginRecord,
  type HubSpotSecurityAction,
  HubSpotSecurityAction as HubSpotSecurityActionRecord,
  LOGIN_PATH,
  SECURITY_PATH,
} from "./HubSpotActivity.ts"
import { loginToActivity, securityToActivity } from "./toActivity.ts"

/**
 * How long after its time a record is assumed listed: reads end this far before now. HubSpot documents no
 * publishing delay for account activity; 30 s, as for Zendesk and Salesforce, keeps a record logged a moment
 * late from being passed over.
 */
export const SETTLE = Duration.seconds(30)

/**
 * `GET /account-info/v3/activity/login`: every login attempt of the last 90 days, success and failure. HubSpot
 * gives it no time filter and documents no order, so each poll pages the whole list (`after` to the end) and the
 * shared watermark read keeps what lies at or after the watermark (less the ids already emitted there), sorted
 * by `loginAt`. The list is bounded by its 90 days, so a poll costs at most (logins in 90 days) / 200 requests.
 */
export const loginHistory: ActivityStream<HubSpotLogin, CursorToken> = {
  name: "login_history",
  record: HubSpotLoginRecord,
  toActivity: loginToActivity,
  order: "unsorted",
  tail: { mode: "watermark", settle: SETTLE },
  historyRetention: Duration.days(90),
  paging: bodyCursor({
    integration: "hubspot",
    first: (query) => loginCall(query),
    next: (token, query) => loginCall(query, token),
    read: readHubSpotPage,
  }),
  pushedDown: LOGIN_PUSHED_DOWN,
  canMatch: loginCanMatch,
  paths: [LOGIN_PATH],
  describeError: describeHubSpotError,
}

/**
 * `GET /account-info/v3/activity/security`: critical actions (users added, removed, deactivated; exports; 2FA
 * changes; key views). Tailed by a watermark on `createdAt`: each poll asks `fromTimestamp` = the watermark and
 * `toTimestamp` = now − SETTLE, pages `after` to the end, and the shared read drops the ids already emitted at the
 * watermark's instant. Order undocumented, so the read sorts.
 */
export const securityActivity: ActivityStream<HubSpotSecurityAction, CursorToken> = {
  name: "security_activity",
  record: HubSpotSecurityActionRecord,
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
