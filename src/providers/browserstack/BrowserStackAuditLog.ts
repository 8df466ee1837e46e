import { Schema } from "effect"

// BrowserStack's Enterprise Audit Logs API. CONFIRMED (browserstack.com/docs/enterprise/api-reference): the
// hosts, HTTP Basic with username and access key, Owner/Admin on the Enterprise plan, logs from 2022-02-25 and
// only the last 180 days, and the catalogue `GET /audit/v1/activities` → `{activities: {<category>: [key…]}}`.
// ASSUMED, UNCONFIRMED (only the reference page's first section could be read; no public client or sample):
// the logs endpoint `GET /audit/v1/logs`, its parameters, its page envelope and the record shape below.
// The record schema is therefore lenient: every field optional, unknown fields kept (the index signature, and
// the synthetic id digests the whole record). The mapping, not the schema, requires a time and an actor.

/** Assumed, unconfirmed: the logs operation sits beside the confirmed `audit/v1/activities`. */
export const AUDIT_LOGS_PATH = "audit/v1/logs"
/** Confirmed: the activity catalogue. Not read by the stream; the simulator serves it. */
export const ACTIVITIES_PATH = "audit/v1/activities"
/** Assumed, unconfirmed: the largest page asked (`limit`); a shorter page than asked ends the read anyway. */
export const AUDIT_LOGS_PAGE_SIZE_MAX = 100

const optional = <A, I>(schema: Schema.Schema<A, I>) => Schema.optional(Schema.NullOr(schema))
const Text = Schema.Union(Schema.String, Schema.Number)

/** The actor as an object (assumed: an id, an email or a name), kept whole whatever else it holds. */
export const BrowserStackActorObject = Schema.Struct(
  {
    id: optional(Text),
    user_id: optional(Text),
    email: optional(Schema.String),
    name: optional(Schema.String),
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown }),
)

/**
 * One audit-log entry, as assumed from the UI export's columns (date/time, actor, activity) and the activity
 * catalogue's keys. Every field is optional here: names are unconfirmed, so the common alternatives are read.
 */
export const BrowserStackAuditLog = Schema.Struct(
  {
    id: optional(Text),
    /** The activity key of `GET /audit/v1/activities` (e.g. `signed_in`); `action` read as an alternative. */
    activity: optional(Schema.String),
    action: optional(Schema.String),
    category: optional(Schema.String),
    description: optional(Schema.String),
    /** The user who started the action: an object, or its email/id as a string. */
    actor: optional(Schema.Union(Schema.String, BrowserStackActorObject)),
    actor_id: optional(Text),
    actor_email: optional(Schema.String),
    /** The event time: ISO 8601 (or epoch ms/s) under one of the usual names. */
    timestamp: optional(Text),
    created_at: optional(Text),
    date: optional(Text),
    ip_address: optional(Schema.String),
    ip: optional(Schema.String),
    user_agent: optional(Schema.String),
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown }),
).annotations({ identifier: "BrowserStackAuditLog" })
export type BrowserStackAuditLog = typeof BrowserStackAuditLog.Type

/** Assumed, unconfirmed: the entries under `logs` (or `data`), with an optional `total`. */
export const BrowserStackAuditLogsPage = Schema.Struct({
  logs: Schema.optional(Schema.Array(Schema.Unknown)),
  data: Schema.optional(Schema.Array(Schema.Unknown)),
  total: Schema.optional(Schema.Number),
  limit: Schema.optional(Schema.Number),
}).annotations({ identifier: "BrowserStackAuditLogsPage" })

/** BrowserStack's sibling REST APIs answer errors as `{success:false, message}` (unconfirmed for audit). */
export const BrowserStackError = Schema.Struct({
  message: Schema.optional(Schema.String),
  error: Schema.optional(Schema.String),
}).annotations({ identifier: "BrowserStackError" })
