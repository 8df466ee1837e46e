import { Either } from "effect"
import { type Activity, compact, type UnifiedAction } from "../../domain/Activity.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import type { MappingFailure } from "../ProviderAdapter.ts"
import { recordIdOf } from "./recordId.ts"
import type { SalesforceLoginHistoryRead } from "./SalesforceLoginHistory.ts"
import type { SalesforceSetupAuditTrailRead } from "./SalesforceSetupAuditTrail.ts"
import { salesforceInstant } from "./salesforceTime.ts"

// Salesforce fills, per the spec's output matrix: id, actor, action, context, created_at. Never organization,
// group, description, entity or entity_type. `remote_data` is attached by the caller.

/** The one LoginHistory `Status` that is a successful login; every other value is a failed one. */
export const LOGIN_SUCCESS_STATUS = "Success"

/**
 * SetupAuditTrail `Action` codes with a clear unified counterpart, compared case-insensitively (Salesforce's
 * codes vary in case). Everything else keeps its raw code: `activateduser`, `frozeuser`, `resetpassword`,
 * `PermSetAssign`… have no unified value that says the same thing.
 */
export const SetupAuditTrailActions: Readonly<Record<string, UnifiedAction>> = {
  createduser: "user_created",
  deactivateduser: "user_deactivated",
}

const failure = (what: string, id: string | undefined, detail: string): MappingFailure => ({
  reason: `salesforce ${what} ${id ?? "(no id)"} ${detail}`,
})

/** A LoginHistory row as an Activity. Pure. */
export const loginHistoryToActivity = (
  row: SalesforceLoginHistoryRead,
  _account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> => {
  const id = recordIdOf(row)
  if (id === undefined) return Either.left(failure("LoginHistory row", id, "has no Salesforce id"))
  const createdAt = salesforceInstant(row.LoginTime)
  if (createdAt === undefined) {
    return Either.left(
      failure("LoginHistory row", id, `has an unparseable LoginTime: ${JSON.stringify(row.LoginTime)}`),
    )
  }
  // Browser and Platform are parsed product names, not a user agent: context.user_agent stays empty.
  const context = compact({ ip_address: row.SourceIp, authentication_method: row.LoginType })
  return Either.right({
    id,
    actor: row.UserId ? { type: "user", user: { id: row.UserId } } : { type: "anonymous" },
    action: row.Status === LOGIN_SUCCESS_STATUS ? "login" : "login_failed",
    ...(Object.keys(context).length > 0 ? { context } : {}),
    created_at: createdAt,
  })
}

/** A SetupAuditTrail row as an Activity. Pure. */
export const setupAuditTrailToActivity = (
  row: SalesforceSetupAuditTrailRead,
  _account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> => {
  const id = recordIdOf(row)
  if (id === undefined) return Either.left(failure("SetupAuditTrail row", id, "has no Salesforce id"))
  const createdAt = salesforceInstant(row.CreatedDate)
  if (createdAt === undefined) {
    return Either.left(
      failure(
        "SetupAuditTrail row",
        id,
        `has an unparseable CreatedDate: ${JSON.stringify(row.CreatedDate)}`,
      ),
    )
  }
  return Either.right({
    id,
    // A change with no creating user was made by Salesforce itself.
    actor: row.CreatedById ? { type: "user", user: { id: row.CreatedById } } : { type: "system" },
    action: SetupAuditTrailActions[row.Action.toLowerCase()] ?? row.Action,
    created_at: createdAt,
  })
}
