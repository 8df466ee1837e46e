import { Duration, Option, Schema } from "effect"
import type { ActivityStream } from "../../ActivityStream.ts"
import { type LinkPosition, linkHeader } from "../../paging/linkHeader.ts"
import {
  AUDIT_LOG_HEADERS,
  AUDIT_LOG_MAX_PER_PAGE,
  auditLogPath,
  auditLogQueryParams,
  isAuditLogPath,
  organizationOf,
} from "../auditLogQuery.ts"
import { GitHubAuditLogEventRead, GitHubError } from "../GitHubAuditLogEvent.ts"
import { toActivity } from "../toActivity.ts"

/**
 * GitHub documents no bound on how late it writes an event into the audit log; grove and Elastic both leave
 * the last minutes alone. An event GitHub writes later than this, older than the watermark, is not read.
 */
export const AUDIT_LOG_SETTLE = Duration.minutes(5)

const describeError = (body: unknown) =>
  Option.match(Schema.decodeUnknownOption(GitHubError)(body), {
    onNone: () => ({}),
    onSome: (error) => ({ message: error.message }),
  })

/**
 * The organization audit log (`GET /orgs/{org}/audit-log`, Enterprise Cloud). GitHub's cursors only page
 * within one query, so the stream is tailed by a watermark: each poll asks `created:>=` the last published
 * event's second up to now − 5 minutes (`created:<=`), oldest first, and drops the ids already published.
 * A read stops paging once it has a page's worth (oldest first), so a first read from months back costs a
 * request per 100 events, not the whole history per page: GitHub allows 1,750 audit-log queries an hour.
 */
export const auditLog: ActivityStream<GitHubAuditLogEventRead, LinkPosition> = {
  name: "audit_log",
  record: GitHubAuditLogEventRead,
  toActivity,
  order: "oldest_first",
  tail: { mode: "watermark", settle: AUDIT_LOG_SETTLE },
  paging: linkHeader({
    integration: "github",
    path: (query) => auditLogPath(organizationOf(query.settings)),
    firstQuery: auditLogQueryParams,
    records: (body) => (Array.isArray(body) ? body : undefined),
    limitParam: "per_page",
    maxLimit: AUDIT_LOG_MAX_PER_PAGE,
    polling: false,
    cursorParams: ["after"],
    headers: AUDIT_LOG_HEADERS,
  }),
  // The spec gives GitHub no filter beyond the organization, which is the path.
  pushedDown: [],
  paths: isAuditLogPath,
  // Audit events are kept 180 days (Git events 7; the stream reads web events).
  historyRetention: Duration.days(180),
  describeError,
}
