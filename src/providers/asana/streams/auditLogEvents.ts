import { Duration } from "effect"
import type { ActivityStream } from "../../ActivityStream.ts"
import { signInFacts } from "../../failedSignIn.ts"
import { AsanaAuditLogEventRead, describeAsanaError } from "../AsanaAuditLogEvent.ts"
import { type AsanaPosition, auditLogPaging, canMatch, isAuditLogPath } from "../auditLogPaging.ts"
import { toActivity } from "../toActivity.ts"

/** Asana deletes audit log events 90 days after they are captured. */
export const AUDIT_LOG_RETENTION = Duration.days(90)

/**
 * The workspace's audit log (`GET /api/1.0/workspaces/{workspace_gid}/audit_log_events`), tailed by Asana's own
 * `offset`, which keeps coming back on the last page and later yields what was captured since.
 */
export const auditLogEvents: ActivityStream<AsanaAuditLogEventRead, AsanaPosition> = {
  // Asana states no reason for `user_login_failed`; the actor's email is the account the attempt named.
  failedSignIns: {
    actions: new Set(["login_failed"]),
    of: (event) =>
      event.event_type === "user_login_failed"
        ? signInFacts({ attempted_user: event.actor?.email ?? event.resource?.email })
        : undefined,
  },
  name: "audit_log_events",
  record: AsanaAuditLogEventRead,
  toActivity,
  // "sorted by creation time in ascending order".
  order: "oldest_first",
  tail: { mode: "cursor" },
  paging: auditLogPaging,
  // `start_at` takes created_at and `actor_gid` actor_id. `action` goes as `event_type` where one raw type
  // carries it, but stays post-filtered: create/destroy/exported cover many raw types and reach Asana as nothing.
  pushedDown: ["created_at", "actor_id"],
  canMatch,
  paths: isAuditLogPath,
  historyRetention: AUDIT_LOG_RETENTION,
  describeError: describeAsanaError,
}
