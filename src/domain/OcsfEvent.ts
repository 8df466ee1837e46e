import { Schema } from "effect"

/** The OCSF schema version the events are written against (https://schema.ocsf.io/1.8.0). */
export const OcsfVersion = "1.8.0"

const Int = Schema.Int
const described = <S extends Schema.Schema.AnyNoContext>(schema: S, description: string): S =>
  schema.annotations({ description }) as S

/** OCSF `user` (only the attributes the connector fills); OCSF requires at least one of name and uid. */
export const OcsfUser = Schema.Struct({
  uid: Schema.optional(described(Schema.String, "The provider's user id.")),
  name: Schema.optional(
    described(Schema.String, "The user name (a failed sign-in: the name that was tried)."),
  ),
}).annotations({ identifier: "OcsfUser", description: "OCSF user object." })

const OcsfObservable = Schema.Struct({
  name: described(Schema.String, "The attribute the value is found at, e.g. src_endpoint.ip."),
  type: Schema.optional(Schema.String),
  type_id: described(
    Int,
    "OCSF observable type: 2 IP Address, 4 User Name, 16 HTTP User-Agent, 31 user uid.",
  ),
  value: Schema.String,
})

/**
 * The value of a record on the OCSF topic, and an element of the endpoint's `result` with `format=ocsf`: the
 * Activity projected onto an OCSF 1.8.0 event of class Authentication (3002), Account Change (3001) or Entity
 * Management (3004), as the mapping table in docs/records.md says. Only the attributes the connector fills are listed;
 * which of them a class carries follows the OCSF class (e.g. `service` on Authentication only).
 */
export const OcsfEvent = Schema.Struct({
  class_uid: described(Int, "OCSF class: 3001 Account Change, 3002 Authentication, 3004 Entity Management."),
  class_name: Schema.String,
  category_uid: described(Int, "OCSF category: 3 Identity & Access Management."),
  category_name: Schema.String,
  activity_id: described(
    Int,
    "The class's activity; 99 (Other) with the action in activity_name, 0 (Unknown) without one.",
  ),
  activity_name: Schema.String,
  type_uid: described(Int, "class_uid × 100 + activity_id."),
  type_name: Schema.String,
  time: described(Int, "When the activity happened (its created_at), epoch milliseconds."),
  severity_id: described(Int, "1 Informational; 2 Low for a failed sign-in; 3 Medium for a lockout."),
  severity: Schema.String,
  status_id: Schema.optional(described(Int, "1 Success, 2 Failure: sign-ins, sign-outs and lockouts only.")),
  status: Schema.optional(Schema.String),
  status_detail: Schema.optional(
    described(Schema.String, "A failed sign-in's reason, as the provider states it."),
  ),
  message: Schema.optional(described(Schema.String, "The Activity's description.")),
  metadata: Schema.Struct({
    version: Schema.Literal(OcsfVersion),
    product: Schema.Struct({
      name: described(Schema.String, "The provider's product, e.g. Okta."),
      vendor_name: Schema.String,
    }),
    uid: described(Schema.String, "The Activity id."),
    original_time: described(Schema.String, "The Activity's created_at, as the record states it."),
    tenant_uid: described(Schema.String, "The integrated account id."),
    logged_time: described(Int, "When the connector fetched the record (observed_at), epoch milliseconds."),
    processed_time: described(Int, "The same instant: the event is made as the record is fetched."),
    log_provider: Schema.String,
    is_truncated: Schema.optional(
      described(
        Schema.Boolean,
        "True when raw_data was left out: over kafka.remote_data.max_bytes or the message limit.",
      ),
    ),
    untruncated_size: Schema.optional(described(Int, "Bytes of the raw data left out.")),
  }),
  actor: Schema.optional(Schema.Struct({ user: OcsfUser })),
  user: Schema.optional(
    OcsfUser.annotations({
      description:
        "Authentication: the user signing in (a failure: the name tried). Account Change: the account changed.",
    }),
  ),
  entity: Schema.optional(
    Schema.Struct({
      uid: Schema.optional(Schema.String),
      name: Schema.optional(Schema.String),
      type: Schema.optional(Schema.String),
    }).annotations({ description: "Entity Management: the entity acted on." }),
  ),
  src_endpoint: Schema.optional(Schema.Struct({ ip: Schema.String })),
  http_request: Schema.optional(Schema.Struct({ user_agent: Schema.String })),
  service: Schema.optional(
    Schema.Struct({ name: described(Schema.String, "The integration, e.g. okta.") }).annotations({
      description: "Authentication: the service signed in to.",
    }),
  ),
  observables: Schema.optional(Schema.Array(OcsfObservable)),
  unmapped: Schema.optional(
    Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
      jsonSchema: {
        type: "object",
        description:
          "What OCSF has no attribute for: integration, action, dedupe_key, organization, group, actor_type, authentication_method, and entity/entity_type outside Entity Management.",
      },
    }),
  ),
  raw_data: Schema.optional(
    described(
      Schema.String,
      "remote_data as a JSON string, when kafka.remote_data.include (always on the endpoint).",
    ),
  ),
}).annotations({
  identifier: "OcsfEvent",
  title: "OCSF 1.8.0 event",
  description:
    "The value of a record on the OCSF topic (kafka.ocsf.enabled): the Activity as an OCSF 1.8.0 event, keyed and transacted with it.",
})
export type OcsfEvent = typeof OcsfEvent.Type
