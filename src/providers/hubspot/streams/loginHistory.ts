import { Duration } from "effect"
import type { ActivityStream } from "../../ActivityStream.ts"
import { signInFacts } from "../../failedSignIn.ts"
import { bodyCursor, type CursorToken } from "../../paging/bodyCursor.ts"
import { LOGIN_PUSHED_DOWN, loginCall, loginCanMatch, readHubSpotPage, SETTLE } from "../activityQuery.ts"
import { describeHubSpotError, HubSpotLoginRead, LOGIN_PATH } from "../HubSpotActivity.ts"
import { loginToActivity } from "../toActivity.ts"

/**
 * `GET /account-info/v3/activity/login`: every login attempt of the last 90 days, success and failure. HubSpot
 * gives it no time filter and documents no order, so each poll pages the whole list (`after` to the end) and the
 * shared watermark read keeps what lies at or after the watermark (less the ids already emitted there), sorted
 * by `loginAt`. The list is bounded by its 90 days, so a poll costs at most (logins in 90 days) / 200 requests.
 */
export const loginHistory: ActivityStream<HubSpotLoginRead, CursorToken> = {
  // HubSpot gives no failure reason; the email is the user name the attempt was made with.
  failedSignIns: {
    actions: new Set(["login_failed"]),
    of: (record) => (record.loginSucceeded ? undefined : signInFacts({ attempted_user: record.email })),
  },
  name: "login_history",
  record: HubSpotLoginRead,
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
