import { Schema } from "effect"

// Jira Cloud's audit records, `GET /rest/api/3/auditing/record` (operation getAuditRecords, schema
// AuditRecordBean). Required is what the mapping needs (`id`, `created`); everything else is optional and
// nullable, and undeclared fields pass untouched into `remote_data`.

/** Relative to the account's base URL: the site (`https://<site>.atlassian.net`) or the OAuth gateway path. */
export const AUDIT_RECORDS_PATH = "rest/api/3/auditing/record"

/** `limit`: default and maximum 1000 (getAuditRecords). */
export const AUDIT_PAGE_SIZE_MAX = 1000

const optional = <A, I>(schema: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(schema))

/**
 * `created`: ISO 8601 with an offset (Jira writes `2014-03-19T18:45:42.967+0000`, no colon). A time without a
 * zone is refused rather than read in the host's zone, which would move the record on another host.
 */
export const JiraTime = Schema.String.pipe(
  Schema.filter((text) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.test(text) &&
    !Number.isNaN(Date.parse(normaliseOffset(text)))
      ? undefined
      : `an ISO 8601 date-time with an offset, e.g. 2014-03-19T18:45:42.967+0000; got ${JSON.stringify(text)}`,
  ),
  Schema.annotations({ identifier: "JiraTime" }),
)

/** `+0000` → `+00:00`, the only offset form `Date.parse` is specified to read. */
export const normaliseOffset = (text: string): string => {
  // From the last five characters rather than a regular expression's replace: it runs twice per record
  // (the schema's check, the mapping), and a replace costs a match and a new string even when nothing changes.
  const n = text.length
  const sign = text.charCodeAt(n - 5)
  return n >= 5 &&
    (sign === 43 || sign === 45) &&
    isDigit(text.charCodeAt(n - 4)) &&
    isDigit(text.charCodeAt(n - 3)) &&
    isDigit(text.charCodeAt(n - 2)) &&
    isDigit(text.charCodeAt(n - 1))
    ? `${text.slice(0, n - 2)}:${text.slice(n - 2)}`
    : text
}

const isDigit = (code: number) => code >= 48 && code <= 57

/** `AssociatedItemBean`: the record's object and its associated items. `id` is missing for groups. */
export const JiraAssociatedItem = Schema.Struct({
  id: optional(Schema.String),
  name: optional(Schema.String),
  typeName: optional(Schema.String),
  parentId: optional(Schema.String),
  parentName: optional(Schema.String),
})

export const JiraAuditRecord = Schema.Struct({
  /** int64 in the schema. */
  id: Schema.Number.pipe(Schema.int()),
  summary: optional(Schema.String),
  remoteAddress: optional(Schema.String),
  /** Deprecated (`ug:…`/`qm:…` keys in Cloud). */
  authorKey: optional(Schema.String),
  /** In every real record and the documented example, though not among the schema's properties. */
  authorAccountId: optional(Schema.String),
  created: JiraTime,
  category: optional(Schema.String),
  eventSource: optional(Schema.String),
  description: optional(Schema.String),
  objectItem: optional(JiraAssociatedItem),
  changedValues: optional(Schema.Array(Schema.Unknown)),
  associatedItems: optional(Schema.Array(Schema.Unknown)),
}).annotations({ identifier: "JiraAuditRecord" })
export type JiraAuditRecord = typeof JiraAuditRecord.Type

/**
 * The part of a record the mapping reads, each field as JiraAuditRecord declares it: what the stream decodes.
 * Changed values and associated items (most of a record's bytes), the deprecated author key and the rest are
 * not decoded, as nothing reads them; remote_data carries the record as Jira sent it. The identifier stays the
 * record's, so a dead letter's reason reads as before.
 */
export const JiraAuditRecordRead = JiraAuditRecord.pipe(
  Schema.pick("id", "summary", "remoteAddress", "authorAccountId", "created"),
  Schema.extend(
    Schema.Struct({ objectItem: optional(JiraAssociatedItem.pipe(Schema.pick("id", "name", "typeName"))) }),
  ),
).annotations({ identifier: "JiraAuditRecord" })
export type JiraAuditRecordRead = typeof JiraAuditRecordRead.Type

/** `AuditRecords`: one page. `total` counts every record matching, `limit` is the page size Jira applied. */
export const JiraAuditRecordsPage = Schema.Struct({
  offset: Schema.optional(Schema.Number),
  limit: Schema.optional(Schema.Number),
  total: Schema.optional(Schema.Number),
  records: Schema.Array(Schema.Unknown),
}).annotations({ identifier: "JiraAuditRecordsPage" })
export type JiraAuditRecordsPage = typeof JiraAuditRecordsPage.Type

/** Jira's `ErrorCollection`, the body of its 4xx answers. */
export const JiraErrorCollection = Schema.Struct({
  errorMessages: Schema.optional(Schema.Array(Schema.String)),
  errors: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
}).annotations({ identifier: "JiraErrorCollection" })
