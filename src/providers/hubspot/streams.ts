import { Duration } from "effect"
import { type ProviderError, ProviderUnauthorized } from "../../http/ProviderError.ts"
import type { ActivityStream } from "../ActivityStream.ts"
import { signInFacts } from "../failedSignIn.ts"
import { bodyCursor, type CursorToken } from "../paging/bodyCursor.ts"
import {
  AUDIT_PUSHED_DOWN,
  auditCall,
  auditCanMatch,
  LOGIN_PUSHED_DOWN,
  loginCall,
  loginCanMatch,
  readHubSpotPage,
  SECURITY_PUSHED_DOWN,
  securityCall,
  securityCanMatch,
} from "./activityQuery.ts"
import {
  AUDIT_LOGS_PATH,
  describeHubSpotError,
  HubSpotAuditEventRead,
  HubSpotLoginRead,
  HubSpotSecurityActionRead,
  LOGIN_PATH,
  SECURITY_PATH,
} from "./HubSpotActivity.ts"
import { auditLogsEnabled } from "./settings.ts"
import { auditToActivity, loginToActivity, securityToActivity } from "./toActivity.ts"

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

/**
 * HubSpot answers 403 on the audit log for a portal below Enterprise (the guide: "available for Enterprise
 * accounts only"; the body is not documented), while the same token reads the other two lists. The account has
 * opted in with `settings.audit_logs: true`, so its error says what it needs and how to opt out.
 */
export const classifyAuditLogError = (error: ProviderError): ProviderError =>
  error._tag === "ProviderUnauthorized" && error.status === 403
    ? new ProviderUnauthorized({
        integration: error.integration,
        status: error.status,
        message: `${error.message} (HubSpot's audit log, ${AUDIT_LOGS_PATH}, needs an Enterprise account and the token's account-info.security.read scope: on any other account set settings.audit_logs: false, and login history and security activity are read without it)`,
      })
    : error

/**
 * `GET /account-info/v3/activity/audit-logs`: the centralized audit log (CRM changes, settings, logins, critical
 * actions), Enterprise accounts only, so read only where the account's `settings.audit_logs` is `true`. Tailed
 * by a watermark on `occurredAt`: each poll asks the range from the watermark to now − SETTLE
 * (`occurredAfter`/`occurredBefore`), `sort=occurredAt`, oldest first as HubSpot documents, pages `after` to the
 * end (or until a page's worth is in hand), and the shared read drops the ids already emitted at the watermark's
 * instant. `action=login` keeps its successful logins (post-filtered on the mapped action).
 */
export const auditLogs: ActivityStream<HubSpotAuditEventRead, CursorToken> = {
  name: "audit_logs",
  record: HubSpotAuditEventRead,
  toActivity: auditToActivity,
  order: "oldest_first",
  tail: { mode: "watermark", settle: SETTLE },
  paging: bodyCursor({
    integration: "hubspot",
    first: (query) => auditCall(query),
    next: (token, query) => auditCall(query, token),
    read: readHubSpotPage,
  }),
  pushedDown: AUDIT_PUSHED_DOWN,
  canMatch: auditCanMatch,
  enabledFor: auditLogsEnabled,
  paths: [AUDIT_LOGS_PATH],
  describeError: describeHubSpotError,
  classifyError: classifyAuditLogError,
}
