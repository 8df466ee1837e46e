import { Either } from "effect"
import { type Activity, compact, type UnifiedAction } from "../../domain/Activity.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import type { MappingFailure } from "../ProviderAdapter.ts"
import { utcInstant } from "../utcInstant.ts"
import type { AsanaAuditLogEventRead } from "./AsanaAuditLogEvent.ts"

// Asana fills, per the spec's output matrix: id, actor, organization, action, entity, entity_type, context,
// created_at. Never description or group. `remote_data` is attached by the caller. The raw names below come
// from Asana's "Supported audit log events" list (developers.asana.com/docs/audit-log-events).

/** Raw event types that alone carry a unified action: the `action` filter reaches Asana as `event_type`. */
export const SINGLE_TYPE_ACTIONS: Readonly<Record<string, UnifiedAction>> = {
  user_login_succeeded: "login",
  user_login_failed: "login_failed",
  user_logged_out: "logout",
  // Asana also records a user auto-joining the domain as `user_invited`.
  user_invited: "user_invited",
  user_deprovisioned: "user_deactivated",
  service_account_created: "user_created",
  service_account_deleted: "user_deleted",
}

/** The creation category. */
export const CREATE_TYPES: ReadonlyArray<string> = ["team_created", "attachment_uploaded"]

/** The content-export category. */
export const EXPORT_TYPES: ReadonlyArray<string> = [
  "workspace_export_started",
  "search_report_export_started",
  "workspace_teams_export_started",
  "division_teams_export_started",
  "workspace_members_export_started",
  "project_csv_export_started",
  "object_export_started",
]

/**
 * The deletion category: every `<object>_deleted` and `<object>_permanently_deleted` (`task_deleted`,
 * `project_permanently_deleted`…). `*_undeleted` does not end in `_deleted` and keeps its raw value.
 */
export const DESTROY_SUFFIXES: ReadonlyArray<string> = ["_deleted", "_permanently_deleted"]

/** The unified action of a raw event type; the raw type itself where none clearly applies. */
export const actionOf = (eventType: string): string => {
  const single = SINGLE_TYPE_ACTIONS[eventType]
  if (single !== undefined) return single
  if (CREATE_TYPES.includes(eventType)) return "create"
  if (EXPORT_TYPES.includes(eventType)) return "exported"
  if (DESTROY_SUFFIXES.some((suffix) => eventType.endsWith(suffix))) return "destroy"
  return eventType
}

/** Whether some Asana event maps to `action`. */
export const canHoldAction = (action: UnifiedAction): boolean =>
  Object.values(SINGLE_TYPE_ACTIONS).includes(action) ||
  action === "create" ||
  action === "exported" ||
  action === "destroy"

/** A person (`user`, `external_administrator`), Asana itself (`asana`, `asana_support`), or nobody known. */
const actorTypeOf = (actorType: string | null | undefined) => {
  switch (actorType) {
    case "user":
    case "external_administrator":
      return "user" as const
    case "asana":
    case "asana_support":
      return "system" as const
    case "anonymous":
      return "anonymous" as const
    default:
      return undefined
  }
}

/** `context.api_authentication_method`, else a login's `details.method` (`["SAML"]`) joined with commas. */
const authenticationMethodOf = (event: AsanaAuditLogEventRead): string | undefined => {
  if (event.context?.api_authentication_method) return event.context.api_authentication_method
  const method = event.details?.method
  if (Array.isArray(method) && method.every((m) => typeof m === "string") && method.length > 0)
    return method.join(",")
  return undefined
}

/** An audit log event as an Activity. Pure. */
export const toActivity = (
  event: AsanaAuditLogEventRead,
  account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> => {
  const createdAt = utcInstant(event.created_at)
  if (createdAt === undefined) {
    return Either.left({
      reason: `asana audit log event ${event.gid} has an unparseable created_at: ${JSON.stringify(event.created_at)}`,
    })
  }
  const actorType = actorTypeOf(event.actor?.actor_type)
  const actorGid = event.actor?.gid
  const actor = compact({
    type: actorType,
    user: actorGid ? { id: actorGid } : undefined,
  })
  const context = compact({
    ip_address: event.context?.client_ip_address,
    user_agent: event.context?.user_agent,
    authentication_method: authenticationMethodOf(event),
  })
  const organization = account.settings.organization_id
  return Either.right({
    id: event.gid,
    ...(Object.keys(actor).length > 0 ? { actor } : {}),
    ...(organization ? { organization } : {}),
    action: actionOf(event.event_type),
    ...(event.resource?.gid ? { entity: event.resource.gid } : {}),
    ...(event.resource?.resource_type ? { entity_type: event.resource.resource_type } : {}),
    ...(Object.keys(context).length > 0 ? { context } : {}),
    created_at: createdAt,
  })
}
