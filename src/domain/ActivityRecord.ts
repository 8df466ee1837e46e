import { Schema } from "effect"
import { Activity } from "./Activity.ts"
import { DedupeKey, RecordEnvelope } from "./RecordEnvelope.ts"

const recordFields = {
  ...Activity.fields,
  // As the endpoint's Activity, but described as published: the config may cap it to a marker.
  remote_data: Schema.optional(
    Schema.Record({ key: Schema.String, value: Schema.Unknown }).annotations({
      // Given whole: a description beside it would be dropped, and the generated one names no type.
      jsonSchema: {
        type: "object",
        description:
          'Raw data returned from the remote API call. Absent when kafka.remote_data.include is false; `{"_truncated": true, "_original_bytes": n}` when it was over kafka.remote_data.max_bytes or the record over kafka.max_message_bytes.',
      },
    }),
  ),
  ...RecordEnvelope.fields,
  dedupe_key: DedupeKey,
}

/**
 * The value of a record on the activities topic: the spec's Activity, every field as the endpoint returns it,
 * plus the envelope and the dedupe key.
 */
export const ActivityRecord = Schema.Struct(recordFields).annotations({
  identifier: "ActivityRecord",
  title: "Activity record",
  description:
    "The value of a record on the activities topic: the unified Activity, plus the envelope (integrated_account_id, integration, observed_at, schema_version) and dedupe_key.",
})
export type ActivityRecord = typeof ActivityRecord.Type

/** The value of a record on the login_failed topic: the same record, its action `login_failed`. */
export const LoginFailedRecord = Schema.Struct({
  ...recordFields,
  action: Schema.Literal("login_failed").annotations({ description: "Always login_failed on this topic." }),
}).annotations({
  identifier: "LoginFailedRecord",
  title: "login_failed record",
  description:
    "The value of a record on the login_failed topic: the same record as on the activities topic, for the activities whose action is login_failed.",
})
export type LoginFailedRecord = typeof LoginFailedRecord.Type
