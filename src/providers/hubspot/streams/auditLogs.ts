import { type ProviderError, ProviderUnauthorized } from "../../../http/ProviderError.ts"
import type { ActivityStream } from "../../ActivityStream.ts"
import { bodyCursor, type CursorToken } from "../../paging/bodyCursor.ts"
import { AUDIT_PUSHED_DOWN, auditCall, auditCanMatch, readHubSpotPage, SETTLE } from "../activityQuery.ts"
import { AUDIT_LOGS_PATH, describeHubSpotError, HubSpotAuditEventRead } from "../HubSpotActivity.ts"
import { auditLogsEnabled } from "../settings.ts"
import { auditToActivity } from "../toActivity.ts"

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
