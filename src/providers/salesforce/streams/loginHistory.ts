import type { ActivityStream } from "../../ActivityStream.ts"
import { signInFacts } from "../../failedSignIn.ts"
import type { ResultUrl } from "../../paging/queryResultUrl.ts"
import { SalesforceLoginHistoryRead } from "../SalesforceLoginHistory.ts"
import { LOGIN_SUCCESS_STATUS, loginHistoryToActivity } from "../toActivity.ts"
import { queryStream } from "./queryStream.ts"

/** Every successful and failed login to the org: `Status` = `Success` is `login`, any other `login_failed`. */
export const loginHistory: ActivityStream<SalesforceLoginHistoryRead, ResultUrl> = {
  ...queryStream("login_history", SalesforceLoginHistoryRead, loginHistoryToActivity),
  // `Status` is the reason (`Invalid Password`, `Password Lockout`…); LoginHistory names the user only by id.
  failedSignIns: {
    actions: new Set(["login_failed"]),
    of: (row) => (row.Status === LOGIN_SUCCESS_STATUS ? undefined : signInFacts({ reason: row.Status })),
  },
}
