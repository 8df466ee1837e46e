import { Duration, Option, Schema } from "effect"
import type { ActivityStream } from "../ActivityStream.ts"
import { type Offset, offsetPaging } from "../paging/offset.ts"
import { clampLimit } from "../paging/Paginator.ts"
import {
  AUDIT_PAGE_SIZE_MAX,
  AUDIT_PATH,
  ConfluenceAuditPage,
  ConfluenceAuditRecord,
  ConfluenceError,
} from "./ConfluenceAuditRecord.ts"
import { toActivity } from "./toActivity.ts"

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
 * Confluence Cloud audit records (REST v1 `GET /wiki/rest/api/audit`), newest first, paged by `start`/`limit`.
 *
 * Tailing: a watermark (the latest `creationDate` emitted and the synthetic ids emitted at that millisecond),
 * never a stored offset, which every new record would shift on a newest-first list. Each read asks the closed
 * window `startDate` = the watermark (inclusive) to `endDate` = now − settle, fixed for the whole read, so
 * records created meanwhile cannot shift the offsets under it; one landing inside it late comes twice at a page
 * boundary and is kept once (the read dedupes by id).
 *
 * A page ends the read when it holds fewer records than the `limit` Confluence echoes (it may cap the limit
 * asked), or none; `size` counts the page, not the total. Assumed where Atlassian is silent: the newest-first
 * order (observed; the read sorts anyway); records appear within 30 seconds of their `creationDate`.
 */
export const auditRecords: ActivityStream<ConfluenceAuditRecord, Offset> = {
  name: "audit_records",
  record: ConfluenceAuditRecord,
  toActivity,
  order: "newest_first",
  tail: { mode: "watermark", settle: CONFLUENCE_SETTLE },
  paging: offsetPaging({
    integration: "confluence",
    maxLimit: AUDIT_PAGE_SIZE_MAX,
    request: (start, query) => ({
      target: AUDIT_PATH,
      query: {
        // Epoch milliseconds, both inclusive at Confluence; the read's window is [from, to).
        startDate: query.from === undefined ? undefined : String(query.from),
        endDate: query.to === undefined ? undefined : String(query.to - 1),
        start: String(start),
        limit: String(clampLimit(query.limit, AUDIT_PAGE_SIZE_MAX)),
      },
    }),
    read: (body) =>
      Option.getOrUndefined(
        Option.map(auditPage(body), (page) => ({
          records: page.results,
          ...(page.limit === undefined ? {} : { pageSize: page.limit }),
        })),
      ),
  }),
  // The spec: created_at only, sent as startDate/endDate. `searchString` is free text, never an exact match.
  pushedDown: ["created_at"],
  describeError,
}
