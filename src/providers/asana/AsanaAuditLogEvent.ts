import { Option, Schema } from "effect"
import { utcInstant } from "../utcInstant.ts"

// Asana's AuditLogEvent and its list page (`GET /api/1.0/workspaces/{workspace_gid}/audit_log_events`), as the
// official OpenAPI spec (`Asana/openapi`, `defs/asana_oas.yaml`) and the "Audit log API" reference describe
// them. Required is what the mapping needs: `gid`, `created_at`, `event_type`. Everything else is optional and
// kept open: the enums (`actor_type`, `context_type`, `api_authentication_method`) may grow, and `details`
// differs per event type; `remote_data` carries the record whole anyway.

/** `created_at`: a date-time with a zone (`2021-10-21T23:38:10.364Z`); a zone-less time is refused. */
export const AsanaTime = Schema.String.pipe(
  Schema.filter((text) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text) &&
    utcInstant(text) !== undefined
      ? undefined
      : `an ISO 8601 date-time with a zone, e.g. 2021-10-21T23:38:10.364Z; got ${JSON.stringify(text)}`,
  ),
  Schema.annotations({ identifier: "AsanaTime" }),
)

const optionalText = Schema.optional(Schema.NullOr(Schema.String))

export const AsanaActor = Schema.Struct({
  /** `user`, `asana`, `asana_support`, `anonymous`, `external_administrator`. */
  actor_type: optionalText,
  /** Present only when the actor is a user. */
  gid: optionalText,
  name: optionalText,
  email: optionalText,
})

export const AsanaResource = Schema.Struct({
  resource_type: optionalText,
  resource_subtype: optionalText,
  gid: optionalText,
  name: optionalText,
  email: optionalText,
})

export const AsanaContext = Schema.Struct({
  /** `web`, `desktop`, `mobile`, `asana_support`, `asana`, `email`, `api`. */
  context_type: optionalText,
  /** `cookie`, `oauth`, `personal_access_token`, `service_account`; only when `context_type` is `api`. */
  api_authentication_method: optionalText,
  client_ip_address: optionalText,
  user_agent: optionalText,
  oauth_app_name: optionalText,
  rule_name: optionalText,
})

export const AsanaAuditLogEvent = Schema.Struct({
  /** Globally unique; the Activity's id. */
  gid: Schema.NonEmptyString,
  created_at: AsanaTime,
  /** e.g. `user_login_succeeded`; the list is Asana's "Supported audit log events". */
  event_type: Schema.NonEmptyString,
  /** e.g. `logins`, `deletion`, `roles`, `content_export`. */
  event_category: optionalText,
  actor: Schema.optional(Schema.NullOr(AsanaActor)),
  resource: Schema.optional(Schema.NullOr(AsanaResource)),
  /** Per event type; login events carry `method` (an array such as `["SAML"]`, seen in Panther's fixtures). */
  details: Schema.optional(Schema.NullOr(Schema.Record({ key: Schema.String, value: Schema.Unknown }))),
  context: Schema.optional(Schema.NullOr(AsanaContext)),
}).annotations({ identifier: "AsanaAuditLogEvent" })
export type AsanaAuditLogEvent = typeof AsanaAuditLogEvent.Type

/**
 * The part of an event the mapping reads (toActivity, the failed sign-in's user), each field as
 * AsanaAuditLogEvent declares it: what the stream decodes. Names, subtypes and the rest are not decoded, as
 * nothing reads them; remote_data carries the event as Asana sent it. The identifier stays the event's, so a
 * dead letter's reason reads as before.
 */
export const AsanaAuditLogEventRead = AsanaAuditLogEvent.pipe(
  Schema.pick("gid", "created_at", "event_type", "details"),
  Schema.extend(
    Schema.Struct({
      actor: Schema.optional(Schema.NullOr(AsanaActor.pipe(Schema.pick("actor_type", "gid", "email")))),
      resource: Schema.optional(
        Schema.NullOr(AsanaResource.pipe(Schema.pick("gid", "resource_type", "email"))),
      ),
      context: Schema.optional(
        Schema.NullOr(
          AsanaContext.pipe(Schema.pick("api_authentication_method", "client_ip_address", "user_agent")),
        ),
      ),
    }),
  ),
).annotations({ identifier: "AsanaAuditLogEvent" })
export type AsanaAuditLogEventRead = typeof AsanaAuditLogEventRead.Type

/**
 * A list page: `data` and `next_page` (`{offset, path, uri}`, or null when no event in the domain matches the
 * filters). Records stay unknown here: each one is decoded on its own, so one malformed record is a dead
 * letter rather than a failed page.
 */
export const AsanaAuditLogPage = Schema.Struct({
  data: Schema.Array(Schema.Unknown),
  next_page: Schema.optional(
    Schema.NullOr(
      Schema.Struct({
        offset: Schema.String,
        path: Schema.optional(Schema.String),
        uri: Schema.optional(Schema.String),
      }),
    ),
  ),
}).annotations({ identifier: "AsanaAuditLogPage" })
export type AsanaAuditLogPage = typeof AsanaAuditLogPage.Type

/** Every Asana error: `{"errors":[{"message","help","phrase"}]}` (`phrase` on 500s only). */
export const AsanaErrors = Schema.Struct({
  errors: Schema.NonEmptyArray(
    Schema.Struct({
      message: Schema.optional(Schema.String),
      help: Schema.optional(Schema.String),
      phrase: Schema.optional(Schema.String),
    }),
  ),
}).annotations({ identifier: "AsanaErrors" })
export type AsanaErrors = typeof AsanaErrors.Type

/** For ProviderHttp's `describeError`: the first error's message (Asana has no error codes; `phrase` names a 500). */
export const describeAsanaError = (body: unknown): { code?: string; message?: string } =>
  Option.match(Schema.decodeUnknownOption(AsanaErrors)(body), {
    onNone: () => ({}),
    onSome: ({ errors: [first] }) => ({
      ...(first.phrase ? { code: first.phrase } : {}),
      ...(first.message ? { message: first.message } : {}),
    }),
  })
