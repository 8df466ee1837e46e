import { Duration, Option, Schema } from "effect"
import type { ActivityStream } from "../../ActivityStream.ts"
import { type Offset, offsetPaging } from "../../paging/offset.ts"
import { clampLimit, type Paginator } from "../../paging/Paginator.ts"
import {
  AUDIT_PAGE_SIZE_MAX,
  AUDIT_RECORDS_PATH,
  JiraAuditRecordRead,
  JiraAuditRecordsPage,
  JiraErrorCollection,
} from "../JiraAuditRecord.ts"
import { toActivity } from "../toActivity.ts"

const auditPage = Schema.decodeUnknownOption(JiraAuditRecordsPage)

const describeError = (body: unknown) =>
  Option.match(Schema.decodeUnknownOption(JiraErrorCollection)(body), {
    onNone: () => ({}),
    onSome: (error) => {
      const messages = [...(error.errorMessages ?? []), ...Object.values(error.errors ?? {})]
      return messages.length === 0 ? {} : { message: messages.join("; ") }
    },
  })

/**
 * How long a record may take to appear after its `created`. Atlassian documents none; the window stops this
 * far before now, so a record committed a little after its timestamp is still ahead of the watermark.
 */
export const JIRA_SETTLE = Duration.seconds(30)

/**
 * Offset pages of `pageSize` records (the stream asks Jira's maximum, 1000: a read takes its whole window
 * whatever the limit, so the largest page spends the fewest requests). Ends on a page short of the `limit` Jira
 * echoes, or once the offset reaches `total`.
 */
export const auditRecordsPaging = (pageSize: number): Paginator<Offset> =>
  offsetPaging({
    integration: "jira",
    pageSize: () => clampLimit(pageSize, AUDIT_PAGE_SIZE_MAX),
    request: (offset, query, size) => ({
      target: AUDIT_RECORDS_PATH,
      query: {
        offset: String(offset),
        limit: String(size),
        // Both bounds are inclusive at Jira; the read's window is [from, to).
        // A read from the epoch (no start given) leaves `from` out rather than send a 1970 date.
        from: query.from === undefined || query.from <= 0 ? undefined : new Date(query.from).toISOString(),
        to: query.to === undefined ? undefined : new Date(query.to - 1).toISOString(),
      },
    }),
    read: (body) =>
      Option.getOrUndefined(
        Option.map(auditPage(body), (page) => ({
          records: page.records,
          ...(page.total === undefined ? {} : { total: page.total }),
          ...(page.limit === undefined ? {} : { pageSize: page.limit }),
        })),
      ),
  })

/**
 * Jira Cloud audit records (`GET /rest/api/3/auditing/record`), newest first, paged by `offset`/`limit`.
 *
 * Tailing: a watermark, never a stored offset. Offsets index a newest-first list, so every record created
 * since the last poll would shift them. Each read asks a closed window `from` = the watermark (inclusive) to
 * `to` = now − settle, fixed for the whole read: records created later fall outside it and cannot shift the
 * offsets under the read, and one that lands inside it late comes twice at a page boundary and is kept once
 * (the read dedupes by id). The machinery sorts the window oldest first and drops the ids already emitted at
 * the watermark's instant, so records sharing a millisecond are neither repeated nor missed.
 *
 * Cost: the oldest records a read wants come last, so a read takes every page of its window (1000 records
 * a request). Tailing is one request a poll; a backfill of a long history re-reads what lies ahead of its
 * position on each read, so `start_from` (or `created_at`) bounds it where the history is large.
 *
 * Assumed where Atlassian is silent: the newest-first order (observed in every real answer; the read sorts
 * anyway); `from`/`to` are sent as UTC ISO 8601 with `Z` so the site's time zone cannot apply (the reference
 * only says date-time); records appear within 30 seconds of their `created`.
 */
export const auditRecords: ActivityStream<JiraAuditRecordRead, Offset> = {
  name: "audit_records",
  record: JiraAuditRecordRead,
  toActivity,
  order: "newest_first",
  tail: { mode: "watermark", settle: JIRA_SETTLE },
  paging: auditRecordsPaging(AUDIT_PAGE_SIZE_MAX),
  // The spec: created_at only, sent as from/to. `filter` is free text over several fields, never an exact match.
  pushedDown: ["created_at"],
  // On the site, or below the gateway's `/ex/…/<cloudId>` prefix; the origin is pinned by the machinery.
  paths: (pathname) => pathname === `/${AUDIT_RECORDS_PATH}` || pathname.endsWith(`/${AUDIT_RECORDS_PATH}`),
  describeError,
}
