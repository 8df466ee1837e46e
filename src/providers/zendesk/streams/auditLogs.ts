import type { ActivityStream } from "../../ActivityStream.ts"
import { bodyCursor, type CursorToken } from "../../paging/bodyCursor.ts"
import { auditLogsCall, canMatch, PUSHED_DOWN, readAuditLogsPage, SETTLE } from "../auditLogQuery.ts"
import { auditLogToActivity } from "../toActivity.ts"
import { AUDIT_LOGS_PATH, describeZendeskError, ZendeskAuditLogRead } from "../ZendeskAuditLog.ts"

/**
 * `GET /api/v2/audit_logs`, oldest first (`sort=created_at`), cursor-paged by `page[after]` = `meta.after_cursor`
 * while `meta.has_more`. Tailed by a watermark: each poll asks `filter[created_at][]` from the watermark's second
 * to now − SETTLE (Zendesk's range is closed and whole-second; records share seconds, so the ids emitted at the
 * boundary second are kept and skipped), because a cursor only continues one query and is never a position.
 * Every unified filter is one of Zendesk's `filter[...]` parameters.
 */
export const auditLogs: ActivityStream<ZendeskAuditLogRead, CursorToken> = {
  name: "audit_logs",
  record: ZendeskAuditLogRead,
  toActivity: auditLogToActivity,
  order: "oldest_first",
  tail: { mode: "watermark", settle: SETTLE },
  paging: bodyCursor({
    integration: "zendesk",
    first: (query) => auditLogsCall(query),
    next: (token, query) => auditLogsCall(query, token),
    read: readAuditLogsPage,
  }),
  pushedDown: PUSHED_DOWN,
  canMatch,
  // Both spellings Zendesk serves the list under; a stored or sealed position never leads elsewhere.
  paths: [AUDIT_LOGS_PATH, `${AUDIT_LOGS_PATH}.json`],
  describeError: describeZendeskError,
}
