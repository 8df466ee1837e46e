import { createHash } from "node:crypto"
import { Either } from "effect"
import { type Activity, toUtcInstant } from "../../domain/Activity.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import type { MappingFailure } from "../ActivityStream.ts"
import type { ZoomOperationLog, ZoomSignInActivity } from "./ZoomReportRows.ts"

/**
 * A deterministic id for a row that has none: SHA-256 over its fields in a fixed order, scoped by stream
 * (zoom.md §6). Same row, same id, across polls and restarts; two identical rows in one second collapse into
 * one, which the note accepts.
 */
export const syntheticId = (stream: string, fields: ReadonlyArray<string | undefined>): string =>
  createHash("sha256")
    .update([stream, ...fields.map((field) => field ?? "")].join("|"))
    .digest("hex")

const createdAt = (time: string, what: string): Either.Either<string, MappingFailure> => {
  const instant = toUtcInstant(time)
  return instant === undefined
    ? Either.left({ reason: `zoom ${what} has an unparseable time: ${JSON.stringify(time)}` })
    : Either.right(instant)
}

/** A sign-in/sign-out row as an Activity: `Sign in` → login, `Sign out` → logout, else the raw type. */
export const signInActivityToActivity = (
  row: ZoomSignInActivity,
  _account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> =>
  Either.map(
    createdAt(row.time, "sign-in activity"),
    (created_at): Activity => ({
      id: syntheticId("sign_in_activities", [
        row.email,
        row.time,
        row.type,
        row.ip_address,
        row.client_type,
        row.version,
      ]),
      actor: { type: "user", user: { id: row.email } },
      description: row.type,
      action: row.type === "Sign in" ? "login" : row.type === "Sign out" ? "logout" : row.type,
      ...(row.ip_address === undefined ? {} : { context: { ip_address: row.ip_address } }),
      created_at,
    }),
  )

/** zoom.md §7: the detail's prefix says user deactivation/deletion; otherwise the operation's `action`. */
const operationAction = (row: ZoomOperationLog): string | undefined => {
  const detail = row.operation_detail?.trim() ?? ""
  if (detail.startsWith("Deactivate User")) return "user_deactivated"
  if (detail.startsWith("Delete User")) return "user_deleted"
  switch (row.action) {
    case "Add":
      return "create"
    case "Update":
      return "updated"
    case "Delete":
      return "destroy"
    default:
      return row.action
  }
}

/** An operation-log row as an Activity; `description` is the trimmed operation detail. */
export const operationLogToActivity = (
  row: ZoomOperationLog,
  _account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> =>
  Either.map(createdAt(row.time, "operation log"), (created_at): Activity => {
    const action = operationAction(row)
    const description = row.operation_detail?.trim()
    return {
      id: syntheticId("operation_logs", [
        row.operator,
        row.time,
        row.category_type,
        row.action,
        row.operation_detail,
      ]),
      actor: { type: "user", user: { id: row.operator } },
      ...(description === undefined || description === "" ? {} : { description }),
      ...(action === undefined ? {} : { action }),
      created_at,
    }
  })
