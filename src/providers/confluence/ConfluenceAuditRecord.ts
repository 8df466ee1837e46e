import { Schema, Struct } from "effect"

// Confluence Cloud's audit records, REST v1 `GET /wiki/rest/api/audit` (schema AuditRecord). They carry no id.
// Required is what the mapping needs (`creationDate`); the rest is optional and nullable. Fields Confluence
// does not document are kept (the index signature), since the synthetic id is a digest of the whole record.

/** Relative to the account's base URL: the site (`https://<site>.atlassian.net`) or the OAuth gateway path. */
export const AUDIT_PATH = "wiki/rest/api/audit"

/** `limit`: default 1000, "may be restricted by fixed system limits"; never asked for more. */
export const AUDIT_PAGE_SIZE_MAX = 1000

const optional = <A, I>(schema: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(schema))

export const ConfluenceAuthor = Schema.Struct(
  {
    type: optional(Schema.String),
    /** `System` for what Confluence did itself. */
    displayName: optional(Schema.String),
    /** Absent for System. */
    accountId: optional(Schema.String),
    accountType: optional(Schema.String),
    publicName: optional(Schema.String),
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown }),
)

export const ConfluenceAffectedObject = Schema.Struct(
  { name: optional(Schema.String), objectType: optional(Schema.String) },
  Schema.Record({ key: Schema.String, value: Schema.Unknown }),
)

export const ConfluenceAuditRecord = Schema.Struct(
  {
    author: optional(ConfluenceAuthor),
    remoteAddress: optional(Schema.String),
    /** Epoch milliseconds. */
    creationDate: Schema.Number.pipe(Schema.int(), Schema.nonNegative()),
    summary: optional(Schema.String),
    description: optional(Schema.String),
    category: optional(Schema.String),
    sysAdmin: optional(Schema.Boolean),
    superAdmin: optional(Schema.Boolean),
    affectedObject: optional(ConfluenceAffectedObject),
    changedValues: optional(Schema.Array(Schema.Unknown)),
    associatedObjects: optional(Schema.Array(Schema.Unknown)),
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown }),
).annotations({ identifier: "ConfluenceAuditRecord" })
export type ConfluenceAuditRecord = typeof ConfluenceAuditRecord.Type

const Undeclared = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * The part of a record the mapping reads, each field as ConfluenceAuditRecord declares it: what the stream
 * decodes. Every other field is kept undecoded (the index signatures, at each depth), as the synthetic id
 * digests the whole record; changed values, associated objects and the rest are no longer checked, as nothing
 * reads them. The identifier stays the record's, so a dead letter's reason reads as before.
 */
export const ConfluenceAuditRecordRead = Schema.Struct(
  {
    ...Struct.pick(ConfluenceAuditRecord.fields, "creationDate", "remoteAddress", "summary"),
    author: optional(Schema.Struct(Struct.pick(ConfluenceAuthor.fields, "accountId"), Undeclared)),
    affectedObject: optional(
      Schema.Struct(Struct.pick(ConfluenceAffectedObject.fields, "objectType"), Undeclared),
    ),
  },
  Undeclared,
).annotations({ identifier: "ConfluenceAuditRecord" })
export type ConfluenceAuditRecordRead = typeof ConfluenceAuditRecordRead.Type

/** One page: `start` and `limit` as applied, `size` the records on it (not a total), `_links`. */
export const ConfluenceAuditPage = Schema.Struct({
  results: Schema.Array(Schema.Unknown),
  start: Schema.optional(Schema.Number),
  limit: Schema.optional(Schema.Number),
  size: Schema.optional(Schema.Number),
}).annotations({ identifier: "ConfluenceAuditPage" })
export type ConfluenceAuditPage = typeof ConfluenceAuditPage.Type

/** Confluence's error body (`{statusCode, message}`, as its 403 shows); other answers may be plain text. */
export const ConfluenceError = Schema.Struct({
  statusCode: Schema.optional(Schema.Number),
  message: Schema.String,
}).annotations({ identifier: "ConfluenceError" })
