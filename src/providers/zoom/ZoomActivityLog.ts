import { Schema } from "effect"
import { optionalText, ZoomTime } from "./zoomTime.ts"

// Zoom's sign-in / sign-out activity report, `GET /v2/report/activities` (operation
// reportSignInSignOutActivities). What the mapping needs is required; the rest is optional because the
// reference documents the fields but not which are always present. Undeclared fields pass decoding and
// reach the Activity untouched in `remote_data`, which carries the raw row.

export const ACTIVITIES_PATH = "/v2/report/activities"

export const ZoomActivityLog = Schema.Struct({
  /** The user's email: the only identity the row carries (no user id). */
  email: Schema.NonEmptyString,
  time: ZoomTime,
  /** `Sign in` or `Sign out`; Zoom records no failed sign-ins in this report. */
  type: Schema.NonEmptyString,
  ip_address: optionalText,
  /** e.g. `Browser`, `mac`, `windows`; the value set is not documented. */
  client_type: optionalText,
  /** Client version; `-` for browsers. */
  version: optionalText,
}).annotations({ identifier: "ZoomActivityLog" })
export type ZoomActivityLog = typeof ZoomActivityLog.Type

/**
 * One page. Zoom's example echoes `from`/`to` as `2019-09-01T00:00:00Z` here (the operation-logs report
 * echoes plain dates); `next_page_token` is empty or absent on the last page.
 */
export const ZoomActivityLogsPage = Schema.Struct({
  activity_logs: Schema.Array(Schema.Unknown),
  from: optionalText,
  to: optionalText,
  page_size: Schema.optional(Schema.Number),
  next_page_token: optionalText,
}).annotations({ identifier: "ZoomActivityLogsPage" })
export type ZoomActivityLogsPage = typeof ZoomActivityLogsPage.Type
