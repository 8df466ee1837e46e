import { Schema, Struct } from "effect"

// GitHub's organization audit log, `GET /orgs/{org}/audit-log` (Enterprise Cloud), as its REST reference and
// generated OpenAPI types (`AuditLogEvent`) describe it: every field optional, epoch-millisecond times, and a
// shape that differs per action (`data`, `team`, `repo`, workflow fields…). So the schema is lenient: only
// `action` is required, the documented fields are typed where they are present, and every other field is
// kept (GitHub adds fields per action): an event without `_document_id` is identified by a hash of all of it.

/** Epoch milliseconds, as every time in the audit log API is. */
const EpochMillis = Schema.Number.pipe(Schema.finite(), Schema.nonNegative())

const optionalNullable = <S extends Schema.Schema.Any>(schema: S) => Schema.optional(Schema.NullOr(schema))

export const GitHubAuditLogEvent = Schema.Struct(
  {
    /** When the event occurred; the `created` search qualifier filters on it. */
    "@timestamp": optionalNullable(EpochMillis),
    /** When GitHub recorded it; equal to `@timestamp` in every example seen. Older exports carry only this. */
    created_at: optionalNullable(EpochMillis),
    /** GitHub's unique id of the event. Absent from some older exports. */
    _document_id: optionalNullable(Schema.String),
    /** `<category>.<operation>`, e.g. `org.invite_member`, `repo.create`. */
    action: Schema.NonEmptyString,
    /** The login of whoever acted. */
    actor: optionalNullable(Schema.String),
    actor_id: optionalNullable(Schema.Number),
    /** `{country_name}` in the schema, `{country_code}` in recorded events. */
    actor_location: optionalNullable(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
    /** Newer events say whether the actor is a bot (a GitHub App or Actions). */
    actor_is_bot: optionalNullable(Schema.Boolean),
    org: optionalNullable(Schema.String),
    org_id: optionalNullable(Schema.Number),
    /** The login of the user acted on. */
    user: optionalNullable(Schema.String),
    user_id: optionalNullable(Schema.Number),
    repo: optionalNullable(Schema.String),
    team: optionalNullable(Schema.String),
    data: optionalNullable(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown }),
).annotations({ identifier: "GitHubAuditLogEvent" })
export type GitHubAuditLogEvent = typeof GitHubAuditLogEvent.Type

/**
 * The part of an event the mapping reads, each field as GitHubAuditLogEvent declares it: what the stream
 * decodes. Every other field is kept undecoded (the index signature), as the synthetic id of an event without
 * `_document_id` digests the whole event; the repo, team, user, location and `data` are no longer checked, as
 * nothing reads them. The identifier stays the event's, so a dead letter's reason reads as before.
 */
export const GitHubAuditLogEventRead = Schema.Struct(
  Struct.pick(
    GitHubAuditLogEvent.fields,
    "@timestamp",
    "created_at",
    "_document_id",
    "action",
    "actor",
    "actor_id",
    "actor_is_bot",
    "org",
  ),
  Schema.Record({ key: Schema.String, value: Schema.Unknown }),
).annotations({ identifier: "GitHubAuditLogEvent" })
export type GitHubAuditLogEventRead = typeof GitHubAuditLogEventRead.Type

/** One page: a bare JSON array of events; paging lives in the `Link` header. */
export const GitHubAuditLogPage = Schema.Array(Schema.Unknown).annotations({
  identifier: "GitHubAuditLogPage",
})

/** GitHub's error body (`BasicError`); 422s add `errors`. */
export const GitHubError = Schema.Struct({
  message: Schema.String,
  documentation_url: Schema.optional(Schema.String),
  status: Schema.optional(Schema.String),
  errors: Schema.optional(Schema.Array(Schema.Unknown)),
}).annotations({ identifier: "GitHubError" })
export type GitHubError = typeof GitHubError.Type

/** The latest instant a JavaScript Date holds (ECMAScript's time value range): later ones cannot be written. */
const maxDateMs = 8.64e15

/** Whether `ms` is an epoch-ms time an Activity's `created_at` can be written from. */
export const isUsableTimeMs = (ms: unknown): ms is number =>
  typeof ms === "number" && Number.isFinite(ms) && ms >= 0 && ms <= maxDateMs

/** The event's occurrence time in epoch ms: `@timestamp`, else `created_at`; undefined when neither is usable. */
export const eventTimeMs = (event: {
  readonly "@timestamp"?: number | null | undefined
  readonly created_at?: number | null | undefined
}): number | undefined => {
  const ms = event["@timestamp"] ?? event.created_at
  return isUsableTimeMs(ms) ? ms : undefined
}
