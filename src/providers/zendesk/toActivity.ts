import { Either } from "effect"
import type { Activity, UnifiedAction } from "../../domain/Activity.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import type { MappingFailure } from "../ProviderAdapter.ts"
import { utcInstant } from "../utcInstant.ts"
import type { ZendeskAuditLogRead } from "./ZendeskAuditLog.ts"

// Zendesk fills, per the spec's output matrix: id, actor, description, action, entity, entity_type, context,
// created_at. Never organization or group. `remote_data` is attached by the caller.

/**
 * Zendesk `action` values with a unified counterpart: each of the five documented ones. A `create` of a user
 * stays `create` (Zendesk's help says user creation is not captured in the audit log anyway); anything
 * undocumented keeps its raw value.
 */
export const AuditLogActions: Readonly<Record<string, UnifiedAction>> = {
  create: "create",
  destroy: "destroy",
  exported: "exported",
  login: "login",
  update: "updated",
}

/** An audit log record as an Activity. Pure. */
export const auditLogToActivity = (
  record: ZendeskAuditLogRead,
  _account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> => {
  const createdAt = utcInstant(record.created_at)
  if (createdAt === undefined) {
    return Either.left({
      reason: `zendesk audit log ${record.id} has an unparseable created_at: ${JSON.stringify(record.created_at)}`,
    })
  }
  return Either.right({
    id: String(record.id),
    // Which id Zendesk gives system actors is not documented; a missing one is the system.
    actor:
      record.actor_id == null ? { type: "system" } : { type: "user", user: { id: String(record.actor_id) } },
    ...(record.change_description ? { description: record.change_description } : {}),
    action: AuditLogActions[record.action] ?? record.action,
    ...(record.source_id == null ? {} : { entity: String(record.source_id) }),
    ...(record.source_type ? { entity_type: record.source_type } : {}),
    ...(record.ip_address ? { context: { ip_address: record.ip_address } } : {}),
    created_at: createdAt,
  })
}
