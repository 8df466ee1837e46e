import { Schema } from "effect"
import { utcInstant } from "../utcInstant.ts"

// Zendesk's audit log record (`GET /api/v2/audit_logs`, Enterprise plans; kept indefinitely) and its list
// pages. Required is what the mapping needs: `id`, `action` and `created_at`. The rest is optional: Zendesk
// marks every property "Mandatory: false", and its own list example omits `action_label`.

export const AUDIT_LOGS_PATH = "/api/v2/audit_logs"

/**
 * A Zendesk id: a JSON integer. Ids beyond 2^53 would have been rounded by JSON parsing, so they are refused
 * rather than turned into another record's id.
 */
export const ZendeskId = Schema.Number.pipe(
  Schema.filter((n) =>
    Number.isSafeInteger(n) && n >= 0 ? undefined : `a non-negative integer below 2^53; got ${n}`,
  ),
  Schema.annotations({ identifier: "ZendeskId" }),
)

/** `created_at`: ISO 8601 in UTC, to the second (`2012-03-05T11:32:44Z`); a zone-less time is refused. */
export const ZendeskTime = Schema.String.pipe(
  Schema.filter((text) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text) &&
    utcInstant(text) !== undefined
      ? undefined
      : `an ISO 8601 instant with a zone, e.g. 2012-03-05T11:32:44Z; got ${JSON.stringify(text)}`,
  ),
  Schema.annotations({ identifier: "ZendeskTime" }),
)

const optionalText = Schema.optional(Schema.NullOr(Schema.String))

export const ZendeskAuditLog = Schema.Struct({
  id: ZendeskId,
  /** `create`, `destroy`, `exported`, `login` or `update` as documented; others are kept raw. */
  action: Schema.NonEmptyString,
  /** Localized label of `action`, e.g. `Updated`. */
  action_label: optionalText,
  /** The user or system that made the change. */
  actor_id: Schema.optional(Schema.NullOr(ZendeskId)),
  actor_name: optionalText,
  /** The audited item's id and name. */
  source_id: Schema.optional(Schema.NullOr(ZendeskId)),
  source_label: optionalText,
  /** e.g. `user`, `rule`, `ticket`, `apitoken`, `zendesk/app_market/app`; varies by account. */
  source_type: optionalText,
  /** e.g. `Role changed from Administrator to End User`. */
  change_description: optionalText,
  ip_address: optionalText,
  created_at: ZendeskTime,
  url: optionalText,
}).annotations({ identifier: "ZendeskAuditLog" })
export type ZendeskAuditLog = typeof ZendeskAuditLog.Type

/**
 * The part of a record the mapping reads, each field as ZendeskAuditLog declares it: what the stream decodes.
 * Labels, names and the URL are not decoded, as nothing reads them; remote_data carries the record as Zendesk
 * sent it. The identifier stays the record's, so a dead letter's reason reads as before.
 */
export const ZendeskAuditLogRead = ZendeskAuditLog.pipe(
  Schema.pick(
    "id",
    "action",
    "actor_id",
    "source_id",
    "source_type",
    "change_description",
    "ip_address",
    "created_at",
  ),
).annotations({ identifier: "ZendeskAuditLog" })
export type ZendeskAuditLogRead = typeof ZendeskAuditLogRead.Type

/**
 * A cursor-paginated list page (`page[size]` was sent). Without `page[size]` Zendesk answers with offset
 * pagination instead (`next_page`, `previous_page`, `count`), which this schema refuses: the tailing never asks
 * for it, so such an answer means the request was altered on the way.
 */
export const ZendeskAuditLogsPage = Schema.Struct({
  audit_logs: Schema.Array(Schema.Unknown),
  meta: Schema.Struct({
    has_more: Schema.Boolean,
    after_cursor: Schema.optional(Schema.NullOr(Schema.String)),
    before_cursor: Schema.optional(Schema.NullOr(Schema.String)),
  }),
  links: Schema.optional(
    Schema.Struct({
      next: Schema.optional(Schema.NullOr(Schema.String)),
      prev: Schema.optional(Schema.NullOr(Schema.String)),
    }),
  ),
}).annotations({ identifier: "ZendeskAuditLogsPage" })
export type ZendeskAuditLogsPage = typeof ZendeskAuditLogsPage.Type

/**
 * Zendesk's error bodies: `{"error":"Couldn't authenticate you"}`, `{"error":"RecordNotFound","description":"Not
 * found"}`, or `{"error":{"title":"Forbidden","message":"…"}}`. A 429 body is plain text, not JSON.
 */
export const ZendeskError = Schema.Struct({
  error: Schema.Union(
    Schema.String,
    Schema.Struct({ title: Schema.String, message: Schema.optional(Schema.String) }),
  ),
  description: Schema.optional(Schema.String),
}).annotations({ identifier: "ZendeskError" })

/** For ProviderHttp's `describeError`. */
export const describeZendeskError = (body: unknown): { code?: string; message?: string } => {
  const decoded = Schema.decodeUnknownOption(ZendeskError)(body)
  if (decoded._tag === "None") return {}
  const { error, description } = decoded.value
  if (typeof error === "string")
    return description === undefined ? { message: error } : { code: error, message: description }
  return { code: error.title, message: error.message ?? error.title }
}
