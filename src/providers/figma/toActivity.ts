import { Either } from "effect"
import { type Activity, compact, type UnifiedAction } from "../../domain/Activity.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import type { MappingFailure } from "../ProviderAdapter.ts"
import type { FigmaActivityLogRead } from "./FigmaActivityLog.ts"

// Figma fills, per the spec's output matrix: id, actor, organization, action, entity, entity_type, context,
// created_at. Never description or group. `remote_data` is attached by the caller.

/**
 * Figma action types with a clear unified meaning: the only four the spec lets Figma's `action` filter take.
 * `org_user_create`/`org_user_delete` are documented (the latter is the developer docs' example event). The
 * sign-in/out names are ASSUMED: they come from the event filter of Figma's admin activity log, and the API's
 * action-type page could not be read far enough to confirm them. `idp_user_create`/`_delete` (the SCIM record
 * of a user) stay raw: provisioning through SCIM also logs `org_user_*`, which would count the user twice.
 * Every other type is returned raw.
 */
export const FigmaActionTypes: Readonly<Record<string, UnifiedAction>> = {
  user_sign_in: "login",
  user_sign_out: "logout",
  org_user_create: "user_created",
  org_user_delete: "user_deleted",
}

/** The Figma action types a unified action stands for: what its `events` parameter is sent. */
export const eventsFor = (action: UnifiedAction): ReadonlyArray<string> =>
  Object.entries(FigmaActionTypes)
    .filter(([, unified]) => unified === action)
    .map(([type]) => type)

const actorOf = (log: FigmaActivityLogRead): NonNullable<Activity["actor"]> =>
  // Figma leaves the actor empty for anonymous requests (a public link viewed signed out) and its own
  // background jobs; the two are not told apart, so both are anonymous.
  log.actor?.id ? { type: "user", user: { id: log.actor.id } } : { type: "anonymous" }

/** Raw event → Activity. Pure. */
export const toActivity = (
  log: FigmaActivityLogRead,
  _account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> => {
  const ms = log.timestamp * 1000
  const date = new Date(ms)
  if (!Number.isFinite(ms) || Number.isNaN(date.getTime())) {
    return Either.left({ reason: `figma event ${log.id} has an unusable timestamp: ${log.timestamp}` })
  }
  const entity = log.entity
  // A file is identified by its key; every other entity type by its id.
  const entityId =
    entity === undefined || entity === null
      ? undefined
      : entity.type === "file"
        ? (entity.key ?? entity.id)
        : (entity.id ?? entity.key)
  const context = compact({ ip_address: log.context?.ip_address })
  return Either.right({
    id: log.id,
    actor: actorOf(log),
    ...compact({ organization: log.context?.org_id }),
    action: Object.hasOwn(FigmaActionTypes, log.action.type)
      ? (FigmaActionTypes[log.action.type] as UnifiedAction)
      : log.action.type,
    ...compact({ entity: entityId, entity_type: entity?.type }),
    ...(Object.keys(context).length === 0 ? {} : { context }),
    created_at: date.toISOString(),
  })
}
