import { Either } from "effect"
import type { Activity, UnifiedAction } from "../../domain/Activity.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import type { MappingFailure } from "../ProviderAdapter.ts"
import { utcInstant } from "../utcInstant.ts"
import { activityLogId, operationLogId } from "./recordId.ts"
import type { ZoomActivityLog } from "./ZoomActivityLog.ts"
import type { ZoomOperationLog } from "./ZoomOperationLog.ts"

// Zoom fills, per the spec's output matrix: id (synthetic), actor, description, action, context, created_at.
// Never organization, group, entity or entity_type. `remote_data` is attached by the caller.

/** The sign-in report's `type` → unified action (compared case-insensitively). No failed sign-ins exist. */
export const ActivityLogActions: Readonly<Record<string, UnifiedAction>> = {
  "sign in": "login",
  "sign out": "logout",
}

/** An operation-log rule: every condition given must hold (case-insensitive; detail ignores leading space). */
export interface OperationLogRule {
  readonly categoryType?: string
  readonly action?: string
  readonly detailStartsWith?: string
  readonly unified: UnifiedAction
}

/**
 * Operation-log rows with a clear unified meaning, most specific first; the first match wins and anything
 * else keeps its raw `action`. Zoom records (de)activation as an `Update` whose detail names it.
 */
export const OperationLogRules: ReadonlyArray<OperationLogRule> = [
  { detailStartsWith: "Deactivate User", unified: "user_deactivated" },
  { categoryType: "User", action: "Add", unified: "user_created" },
  { categoryType: "User", action: "Delete", unified: "user_deleted" },
  { action: "Add", unified: "create" },
  { action: "Update", unified: "updated" },
  { action: "Delete", unified: "destroy" },
]

const same = (a: string | null | undefined, b: string) => a?.trim().toLowerCase() === b.toLowerCase()

const matches = (row: ZoomOperationLog, rule: OperationLogRule) =>
  (rule.categoryType === undefined || same(row.category_type, rule.categoryType)) &&
  (rule.action === undefined || same(row.action, rule.action)) &&
  (rule.detailStartsWith === undefined ||
    (row.operation_detail ?? "").trimStart().toLowerCase().startsWith(rule.detailStartsWith.toLowerCase()))

const unparseableTime = (stream: string, time: string): MappingFailure => ({
  reason: `zoom ${stream} row has an unparseable time: ${JSON.stringify(time)}`,
})

/** A row of the sign-in / sign-out report as an Activity. Pure. */
export const activityLogToActivity = (
  row: ZoomActivityLog,
  _account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> => {
  const createdAt = utcInstant(row.time)
  if (createdAt === undefined) return Either.left(unparseableTime("activities", row.time))
  return Either.right({
    id: activityLogId(row),
    // Zoom names the user by email only; it is the actor's identifier here.
    actor: { type: "user", user: { id: row.email } },
    description: row.type,
    action: ActivityLogActions[row.type.trim().toLowerCase()] ?? row.type,
    // client_type and version name Zoom's client, not a user agent: context.user_agent stays empty.
    ...(row.ip_address ? { context: { ip_address: row.ip_address } } : {}),
    created_at: createdAt,
  })
}

/** A row of the operation logs report as an Activity. Pure. */
export const operationLogToActivity = (
  row: ZoomOperationLog,
  _account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> => {
  const createdAt = utcInstant(row.time)
  if (createdAt === undefined) return Either.left(unparseableTime("operation_logs", row.time))
  const description = row.operation_detail?.trim()
  return Either.right({
    id: operationLogId(row),
    actor: { type: "user", user: { id: row.operator } },
    ...(description ? { description } : {}),
    action: OperationLogRules.find((rule) => matches(row, rule))?.unified ?? row.action,
    created_at: createdAt,
  })
}
