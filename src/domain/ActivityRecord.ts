import { Schema } from "effect"
import { Activity } from "./Activity.ts"
import { DedupeKey, RecordEnvelope } from "./RecordEnvelope.ts"

/**
 * What the provider says of a failed sign-in beyond the Activity: why it failed, and the user name that was
 * tried (which may name no user of the directory). Kept out of the spec's fields, in the record only.
 */
export const SignInDetail = Schema.Struct({
  reason: Schema.optional(Schema.String).annotations({
    description: "The provider's reason for the failure, as it states it (e.g. Okta's outcome reason).",
  }),
  attempted_user: Schema.optional(Schema.String).annotations({
    description: "The user name or email that was tried, where the provider reports it.",
  }),
}).annotations({
  identifier: "SignInDetail",
  description:
    "Present on a failed sign-in (every record on the login_failed topic that the provider describes further): the reason and the attempted user name.",
})
export type SignInDetail = typeof SignInDetail.Type

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
  sign_in: Schema.optional(SignInDetail),
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

/**
 * The value of a record on the login_failed topic: the same record as on the activities topic, for every failed
 * sign-in: `login_failed` activities, and raw failed sign-ins (a lockout, a denied push, a policy denial) that
 * keep the provider's event type as their action and carry `sign_in`.
 */
export const LoginFailedRecord = Schema.Struct({
  ...recordFields,
  action: Schema.String.annotations({
    description:
      "login_failed for a failed authentication attempt; the provider's raw event type for a failed sign-in no unified action names (a lockout, a denied MFA push, a sign-on policy denial).",
  }),
}).annotations({
  identifier: "LoginFailedRecord",
  title: "login_failed record",
  description:
    "The value of a record on the login_failed topic: the same record as on the activities topic, for every failed sign-in the provider reports (see docs/records.md, Failed sign-ins).",
})
export type LoginFailedRecord = typeof LoginFailedRecord.Type
