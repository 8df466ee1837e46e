import { Schema } from "effect"

// Zoom's report rows as documented (zoom.md §6). Neither carries an id: the mapping derives one.

/** A row of `GET /report/activities` (`activity_logs[]`): one sign-in or sign-out. */
export const ZoomSignInActivity = Schema.Struct({
  email: Schema.String,
  /** ISO 8601, second precision, `Z`. */
  time: Schema.String,
  /** `Sign in` or `Sign out`. */
  type: Schema.String,
  ip_address: Schema.optional(Schema.String),
  client_type: Schema.optional(Schema.String),
  version: Schema.optional(Schema.String),
}).annotations({ identifier: "ZoomSignInActivity" })
export type ZoomSignInActivity = typeof ZoomSignInActivity.Type

/** A row of `GET /report/operationlogs` (`operation_logs[]`): an admin or user operation. */
export const ZoomOperationLog = Schema.Struct({
  time: Schema.String,
  /** Email of who did it. */
  operator: Schema.String,
  category_type: Schema.optional(Schema.String),
  /** `Add`, `Update`, `Delete`, … */
  action: Schema.optional(Schema.String),
  /** Free text such as `Deactivate User someone@example.com ` (trailing whitespace happens). */
  operation_detail: Schema.optional(Schema.String),
}).annotations({ identifier: "ZoomOperationLog" })
export type ZoomOperationLog = typeof ZoomOperationLog.Type

/** Zoom's API error body. */
export const ZoomError = Schema.Struct({ code: Schema.Number, message: Schema.String })
