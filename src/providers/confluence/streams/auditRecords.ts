import { Duration, Option, Schema } from "effect"
import type { ActivityStream } from "../../ActivityStream.ts"
import { type Offset, offsetPaging } from "../../paging/offset.ts"
import { clampLimit, type Paginator } from "../../paging/Paginator.ts"
import {
  AUDIT_PAGE_SIZE_MAX,
  AUDIT_PATH,
  ConfluenceAuditPage,
  ConfluenceAuditRecordRead,
  ConfluenceError,
} from "../ConfluenceAuditRecord.ts"
import { toActivity } from "../toActivity.ts"

const auditPage = Schema.decodeUnknownOption(ConfluenceAuditPage)

const describeError = (body: unknown) =>
  Option.match(Schema.decodeUnknownOption(ConfluenceError)(body), {
    onNone: () => ({}),
    onSome: (error) => ({ message: error.message }),
  })

/**
 * How long a record may take to appear after its `creationDate`. Atlassian documents none; the window stops
 * this far before now, so a record committed a little after its timestamp is still ahead of the watermark.
 */
export const CONFLUENCE_SETTLE = Duration.seconds(30)

/**
 * Offset pages of `pageSize` records (the stream asks 1000, Confluence's default: a read takes its whole
 * window whatever the limit, so the largest page spends the fewest requests). Ends on a page short of the
 * `limit` Confluence echoes (it may cap the limit asked), or an empty one; `size` counts the page, not a total.
 */
export const auditRecordsPaging = (pageSize: number): Paginator<Offset> =>
  offsetPaging({
    integration: "confluence",
    pageSize: () => clampLimit(pageSize, AUDIT_PAGE_SIZE_MAX),
    request: (start, query, size) => ({
      target: AUDIT_PATH,
      query: {
        // Epoch milliseconds, both inclusive at Confluence; the read's window is [from, to).
        startDate: query.from === undefined || query.from <= 0 ? undefined : String(query.from),
        endDate: query.to === undefined ? undefined : String(query.to - 1),
        start: String(start),
        limit: String(size),
      },
    }),
    read: (body) =>
      Option.getOrUndefined(
        Option.map(auditPage(body), (page) => ({
          records: page.results,
          ...(page.limit === undefined ? {} : { pageSize: page.limit }),
        })),
      ),
  })

/**
 * Confluence Cloud audit records (REST v1 `GET /wiki/rest/api/audit`), newest first, paged by `start`/`limit`.
 *
 * Tailing: a watermark (the latest `creationDate` emitted and the synthetic ids emitted at that millisecond),
 * never a stored offset, which every new record would shift on a newest-first list. Each read asks the closed
 * window `startDate` = the watermark (inclusive) to `endDate` = now − settle, fixed for the whole read, so
 * records created meanwhile cannot shift the offsets under it; one landing inside it late comes twice at a page
 * boundary and is kept once (the read dedupes by id).
 *
 * Cost: the oldest records a read wants come last, so a read takes every page of its window (1000 records
 * a request). Tailing is one request a poll; a backfill of a long history re-reads what lies ahead of its
 * position on each read, so `start_from` (or `created_at`) bounds it where the history is large.
 *
 * Not confirmed for Cloud: whether `start` may go past 1000 (Atlassian's Data Center KB says its audit endpoint
 * serves at most 1000 records by offset); a window of more than 1000 records relies on it.
 *
 * Assumed where Atlassian is silent: the newest-first order (observed; the read sorts anyway); records appear
 * within 30 seconds of their `creationDate`.
 */
export const auditRecords: ActivityStream<ConfluenceAuditRecordRead, Offset> = {
  name: "audit_records",
  record: ConfluenceAuditRecordRead,
  toActivity,
  order: "newest_first",
  tail: { mode: "watermark", settle: CONFLUENCE_SETTLE },
  paging: auditRecordsPaging(AUDIT_PAGE_SIZE_MAX),
  // The spec: created_at only, sent as startDate/endDate. `searchString` is free text, never an exact match.
  pushedDown: ["created_at"],
  // On the site, or below the gateway's `/ex/…/<cloudId>` prefix; the origin is pinned by the machinery.
  paths: (pathname) => pathname === `/${AUDIT_PATH}` || pathname.endsWith(`/${AUDIT_PATH}`),
  describeError,
}
