import { Either } from "effect"
import type { Activity, UnifiedAction } from "../../domain/Activity.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import type { MappingFailure } from "../ProviderAdapter.ts"
import { utcInstant } from "../utcInstant.ts"
import type { HubSpotAuditEventRead, HubSpotLoginRead, HubSpotSecurityActionRead } from "./HubSpotActivity.ts"

// HubSpot fills, per the spec's output matrix: id, actor, action, entity, context, created_at. Never
// organization, description or entity_type. `remote_data` is attached by the caller.

/** Security activity `type` values with a clear unified counterpart; every other type stays raw. */
export const SecurityTypeActions: Readonly<Record<string, UnifiedAction>> = {
  ADD_USER: "user_created",
  JOINED_PORTAL_VIA_DOMAIN_BASED_INVITE: "user_joined",
  DEACTIVATE_USER: "user_deactivated",
  REMOVE_USER: "user_deleted",
  EXPORT: "exported",
  EXPORT_USERS: "exported",
  CONTACT_DATA_EXPORT: "exported",
  FORM_SUBMISSIONS_EXPORT: "exported",
  EXPORT_DOWNLOAD: "exported",
}

/** Audit-log `action` values with a clear unified counterpart (`DELETE` is assumed; no list is published). */
export const AuditLogActions: Readonly<Record<string, UnifiedAction>> = {
  CREATE: "create",
  UPDATE: "updated",
  DELETE: "destroy",
}

/** The audit log's successful login: `category` `LOGIN`, `subCategory` `LOGIN_SUCCEEDED`. */
export const AUDIT_LOGIN = { category: "LOGIN", subCategory: "LOGIN_SUCCEEDED" } as const

const unparseable = (what: string, id: string, field: string, value: string): MappingFailure => ({
  reason: `hubspot ${what} ${id} has an unparseable ${field}: ${JSON.stringify(value)}`,
})

/** A login attempt: `login` when `loginSucceeded`, else `login_failed`. Pure. */
export const loginToActivity = (
  record: HubSpotLoginRead,
  _account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> => {
  const createdAt = utcInstant(record.loginAt)
  if (createdAt === undefined) return Either.left(unparseable("login", record.id, "loginAt", record.loginAt))
  const context = {
    ...(record.ipAddress ? { ip_address: record.ipAddress } : {}),
    ...(record.userAgent ? { user_agent: record.userAgent } : {}),
  }
  return Either.right({
    id: record.id,
    // An attempt HubSpot ties to no user (assumed: an unknown email) has no one to name.
    actor:
      record.userId == null ? { type: "anonymous" } : { type: "user", user: { id: String(record.userId) } },
    action: record.loginSucceeded ? "login" : "login_failed",
    ...(Object.keys(context).length > 0 ? { context } : {}),
    created_at: createdAt,
  })
}

/** A security ("critical") action: `type` mapped where it clearly means a unified action, raw otherwise. Pure. */
export const securityToActivity = (
  record: HubSpotSecurityActionRead,
  _account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> => {
  const createdAt = utcInstant(record.createdAt)
  if (createdAt === undefined)
    return Either.left(unparseable("security action", record.id, "createdAt", record.createdAt))
  return Either.right({
    id: record.id,
    actor: { type: "user", user: { id: String(record.userId) } },
    action: SecurityTypeActions[record.type] ?? record.type,
    ...(record.objectId ? { entity: record.objectId } : {}),
    ...(record.ipAddress ? { context: { ip_address: record.ipAddress } } : {}),
    created_at: createdAt,
  })
}

/**
 * An audit-log user action: `login` for a successful login, else `action` where it clearly means a unified
 * action (create, update, delete), raw otherwise (`PERFORM`). Pure.
 */
export const auditToActivity = (
  record: HubSpotAuditEventRead,
  _account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> => {
  const createdAt = utcInstant(record.occurredAt)
  if (createdAt === undefined)
    return Either.left(unparseable("audit event", record.id, "occurredAt", record.occurredAt))
  const login = record.category === AUDIT_LOGIN.category && record.subCategory === AUDIT_LOGIN.subCategory
  return Either.right({
    id: record.id,
    actor: { type: "user", user: { id: String(record.actingUser.userId) } },
    action: login ? "login" : (AuditLogActions[record.action] ?? record.action),
    ...(record.targetObjectId ? { entity: record.targetObjectId } : {}),
    created_at: createdAt,
  })
}
