import { Either } from "effect"
import type { ActivityStream } from "../ActivityStream.ts"
import { signInFacts } from "../failedSignIn.ts"
import type { PageQuery } from "../paging/Paginator.ts"
import { queryResultUrl, type ResultUrl } from "../paging/queryResultUrl.ts"
import { SalesforceLoginHistoryRead } from "./SalesforceLoginHistory.ts"
import { classifySalesforceError, describeSalesforceError, readQueryResult } from "./SalesforceQueryResult.ts"
import { SalesforceSetupAuditTrailRead } from "./SalesforceSetupAuditTrail.ts"
import {
  apiVersionOf,
  canMatch,
  DEFAULT_API_VERSION,
  followNextRecordsUrl,
  isQueryResourcePath,
  PUSHED_DOWN,
  queryCall,
  type SalesforceStream,
  SalesforceStreams,
  SETTLE,
} from "./tailQuery.ts"
import { LOGIN_SUCCESS_STATUS, loginHistoryToActivity, setupAuditTrailToActivity } from "./toActivity.ts"

/** The account's pinned REST API version; `settings.api_version` is validated when the config loads. */
const apiVersion = (query: PageQuery): string =>
  Either.getOrElse(apiVersionOf(query.settings ?? {}), () => DEFAULT_API_VERSION)

/**
 * One SOQL object as a stream: `GET /services/data/v{api_version}/query?q=SELECT … WHERE <time> >= from AND
 * <time> < to [AND <actor> = '<id>'] ORDER BY <time> ASC, Id ASC`, then `nextRecordsUrl` until `done`. Tailed
 * by a watermark (time + the Ids emitted at it, since rows share seconds), never by a query locator: locators
 * expire when idle. Every path requested is the query resource or one of its locators on the account's origin;
 * a `nextRecordsUrl` that is not one stops the account (`ContinuationRefused`) rather than being retried.
 * Salesforce's daily allocation answers 403 REQUEST_LIMIT_EXCEEDED (no 429): `classifySalesforceError` makes it
 * a rate limit rather than a refused credential.
 */
const queryStream = <Raw>(
  name: SalesforceStream,
  record: ActivityStream<Raw, ResultUrl>["record"],
  toActivity: ActivityStream<Raw, ResultUrl>["toActivity"],
): ActivityStream<Raw, ResultUrl> => ({
  name,
  record,
  toActivity,
  order: "oldest_first",
  tail: { mode: "watermark", settle: SETTLE },
  paging: queryResultUrl({
    integration: "salesforce",
    first: (query) => queryCall(name, apiVersion(query), query),
    read: readQueryResult,
    follow: (next, query) => followNextRecordsUrl(next, apiVersion(query)),
  }),
  pushedDown: PUSHED_DOWN,
  canMatch,
  paths: isQueryResourcePath,
  historyRetention: SalesforceStreams[name].retention,
  describeError: describeSalesforceError,
  classifyError: classifySalesforceError,
})

/** Every successful and failed login to the org: `Status` = `Success` is `login`, any other `login_failed`. */
export const loginHistory: ActivityStream<SalesforceLoginHistoryRead, ResultUrl> = {
  ...queryStream("login_history", SalesforceLoginHistoryRead, loginHistoryToActivity),
  // `Status` is the reason (`Invalid Password`, `Password Lockout`…); LoginHistory names the user only by id.
  failedSignIns: {
    actions: new Set(["login_failed"]),
    of: (row) => (row.Status === LOGIN_SUCCESS_STATUS ? undefined : signInFacts({ reason: row.Status })),
  },
}

/** Setup changes: `createduser` is `user_created`, `deactivateduser` `user_deactivated`, the rest raw. */
export const setupAuditTrail = queryStream(
  "setup_audit_trail",
  SalesforceSetupAuditTrailRead,
  setupAuditTrailToActivity,
)
