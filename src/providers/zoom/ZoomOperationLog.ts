import { Schema } from "effect"
import { optionalText, ZoomTime } from "./zoomTime.ts"

// Zoom's operation logs report, `GET /v2/report/operationlogs` (operation reportOperationLogs): admin and
// user operations (users added, updated, deleted; settings; roles; recordings…). Required is what the
// mapping needs; undeclared fields pass and stay in `remote_data`.

export const OPERATION_LOGS_PATH = "/v2/report/operationlogs"

/** The request's `category_type` filter values, as documented; rows carry display names (`User`, `Account`). */
export const OperationLogCategoryFilters = [
  "all",
  "user",
  "user_settings",
  "account",
  "billing",
  "im",
  "recording",
  "phone_contacts",
  "webinar",
  "sub_account",
  "role",
  "zoom_rooms",
] as const

export const ZoomOperationLog = Schema.Struct({
  time: ZoomTime,
  /** Email of the user who did it. */
  operator: Schema.NonEmptyString,
  /** e.g. `User`, `Account`. */
  category_type: optionalText,
  /** e.g. `Add`, `Update`, `Delete`, `Batch Update`. */
  action: Schema.NonEmptyString,
  /** Free text, e.g. `Deactivate User someone@example.com ` (Zoom leaves trailing whitespace). */
  operation_detail: optionalText,
}).annotations({ identifier: "ZoomOperationLog" })
export type ZoomOperationLog = typeof ZoomOperationLog.Type

/** One page; Zoom's example echoes `from`/`to` as plain dates here. */
export const ZoomOperationLogsPage = Schema.Struct({
  operation_logs: Schema.Array(Schema.Unknown),
  from: optionalText,
  to: optionalText,
  page_size: Schema.optional(Schema.Number),
  next_page_token: optionalText,
}).annotations({ identifier: "ZoomOperationLogsPage" })
export type ZoomOperationLogsPage = typeof ZoomOperationLogsPage.Type
