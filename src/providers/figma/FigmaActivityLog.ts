import { Option, Schema, Struct } from "effect"

// Figma's Activity Logs API as its OpenAPI description (`figma/rest-api-spec`, `GET /v1/activity_logs`,
// `ActivityLog`, `GetActivityLogsResponse`, `ErrorResponsePayloadWithErrorBoolean`) and the developer pages
// (activity-logs-events, -entity-types) give it. What the mapping needs is required (`id`, `timestamp`,
// `action.type`); the rest is optional and nullable, since entity and detail shapes vary by type and Figma adds
// types over time. Undeclared fields pass decoding; `remote_data` carries the raw event whole.

export const ACTIVITY_LOGS_PATH = "/v1/activity_logs"

const optional = <S extends Schema.Schema.Any>(schema: S) => Schema.optional(Schema.NullOr(schema))

/** The user who acted; null for anonymous requests and Figma's background jobs. */
export const FigmaActor = Schema.Struct({
  /** `user` is the one type documented. */
  type: optional(Schema.String),
  id: optional(Schema.String),
  /** `SCIM Provider` for SCIM events, `Figma Support` for support actions. */
  name: optional(Schema.String),
  email: optional(Schema.String),
})

/**
 * What the action was taken on, by `type`: `user{id,name,email}`, `file{key,name,editor_type,…}`,
 * `file_repo{id,…}`, `project`, `team`, `workspace`, `org`, `plugin`, `widget`, `idp_user`,
 * `policy_acknowledgement_config`. A file is the one identified by `key` rather than `id`.
 */
export const FigmaEntity = Schema.Struct(
  {
    type: Schema.String,
    id: optional(Schema.String),
    key: optional(Schema.String),
    name: optional(Schema.String),
  },
  Schema.Record({ key: Schema.String, value: Schema.Unknown }),
)

export const FigmaAction = Schema.Struct({
  type: Schema.NonEmptyString,
  details: optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
})

export const FigmaContext = Schema.Struct({
  client_name: optional(Schema.String),
  ip_address: optional(Schema.String),
  is_figma_support_team_action: optional(Schema.Boolean),
  org_id: optional(Schema.String),
  team_id: optional(Schema.String),
})

export const FigmaActivityLog = Schema.Struct({
  id: Schema.NonEmptyString,
  /** Unix seconds. */
  timestamp: Schema.Number.pipe(Schema.finite(), Schema.nonNegative()),
  actor: optional(FigmaActor),
  action: FigmaAction,
  entity: optional(FigmaEntity),
  context: optional(FigmaContext),
}).annotations({ identifier: "FigmaActivityLog" })
export type FigmaActivityLog = typeof FigmaActivityLog.Type

/**
 * The part of an event the mapping reads, each field as FigmaActivityLog declares it: what the stream decodes.
 * Action details, the actor's name and email, the entity's other fields and most of the context are not
 * decoded, as nothing reads them; remote_data carries the event as Figma sent it. The identifier stays the
 * event's, so a dead letter's reason reads as before.
 */
export const FigmaActivityLogRead = FigmaActivityLog.pipe(
  Schema.pick("id", "timestamp"),
  Schema.extend(
    Schema.Struct({
      actor: optional(FigmaActor.pipe(Schema.pick("id"))),
      action: FigmaAction.pipe(Schema.pick("type")),
      // FigmaEntity keeps undeclared fields; its read part is only the three the mapping names.
      entity: optional(Schema.Struct(Struct.pick(FigmaEntity.fields, "type", "id", "key"))),
      context: optional(FigmaContext.pipe(Schema.pick("ip_address", "org_id"))),
    }),
  ),
).annotations({ identifier: "FigmaActivityLog" })
export type FigmaActivityLogRead = typeof FigmaActivityLogRead.Type

/**
 * `{status, error, i18n, meta: {activity_logs, cursor, next_page}}`. `cursor` points after the page's last
 * event; asked with it later, Figma answers the events logged since.
 */
export const FigmaActivityLogsPage = Schema.Struct({
  status: Schema.optional(Schema.Number),
  error: Schema.optional(Schema.Boolean),
  meta: Schema.Struct({
    activity_logs: Schema.Array(Schema.Unknown),
    cursor: optional(Schema.String),
    next_page: optional(Schema.Boolean),
  }),
}).annotations({ identifier: "FigmaActivityLogsPage" })
export type FigmaActivityLogsPage = typeof FigmaActivityLogsPage.Type

/** The error body of this operation (`ErrorResponsePayloadWithErrorBoolean`): 400, 401, 403, 429, 500. */
export const FigmaError = Schema.Struct({
  error: Schema.optional(Schema.Boolean),
  status: Schema.optional(Schema.Number),
  message: Schema.optional(Schema.String),
  /** Figma's other endpoints write `err` instead (`ErrorResponsePayloadWithErrMessage`). */
  err: Schema.optional(Schema.String),
}).annotations({ identifier: "FigmaError" })

export const describeFigmaError = (body: unknown): { code?: string; message?: string } =>
  Option.match(Schema.decodeUnknownOption(FigmaError)(body), {
    onNone: () => ({}),
    onSome: (error) => {
      const message = error.message ?? error.err
      return message ? { message } : {}
    },
  })
