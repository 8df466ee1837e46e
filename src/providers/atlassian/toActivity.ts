import { Either } from "effect"
import { type Activity, compact, toUtcInstant, type UnifiedAction } from "../../domain/Activity.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import type { MappingFailure } from "../ProviderAdapter.ts"
import type { AtlassianEvent, AtlassianEventActions } from "./AtlassianEvent.ts"

// Atlassian fills, per the spec's output matrix: id, actor, organization, description, action, context,
// created_at. Never group, entity or entity_type. `remote_data` is attached by the caller.
//
// Atlassian publishes no list of its action keys: the catalogue is per org, from `GET …/event-actions`, which
// pairs each key with a display name. So the action mapping has two sources of data:
// - keys seen in others' integrations (Panther's Atlassian data model maps `user_login`, `user_logout`,
//   `user_created`; its rules test `user_logged_in_as_user`), used as they are;
// - display names from Atlassian's "Audit log activities database" support page, matched against an org's
//   catalogue to learn the keys behind them (`actionKeysFromCatalogue`).
// Anything else keeps its raw key: `user_logged_in_as_user` is an admin impersonating a user, not that user
// signing in; no failed sign-in activity is documented.

/** Action keys with a clear unified meaning, as third-party integrations record them. */
export const AtlassianActionKeys: Readonly<Record<string, UnifiedAction>> = {
  user_login: "login",
  user_logout: "logout",
  user_created: "user_created",
}

/** Display names from Atlassian's "Audit log activities database" (category "Atlassian accounts"). */
export const AtlassianActionDisplayNames: Readonly<Record<string, UnifiedAction>> = {
  "logged in to account": "login",
  "logged out of account": "logout",
  "deactivated account": "user_deactivated",
  "deleted account permanently": "user_deleted",
}

/** The keys an org's catalogue gives the display names above, merged over the built-in keys. */
export const actionKeysFromCatalogue = (
  catalogue: AtlassianEventActions,
  base: Readonly<Record<string, UnifiedAction>> = AtlassianActionKeys,
): Readonly<Record<string, UnifiedAction>> => {
  const learned: Record<string, UnifiedAction> = {}
  for (const action of catalogue.data ?? []) {
    const unified = AtlassianActionDisplayNames[action.attributes.displayName.trim().toLowerCase()]
    if (unified !== undefined) learned[action.id] = unified
  }
  return { ...base, ...learned }
}

const actorOf = (event: AtlassianEvent): NonNullable<Activity["actor"]> => {
  const id = event.attributes.actor?.id
  return id ? { type: "user", user: { id } } : { type: "system" }
}

const contextOf = (event: AtlassianEvent): Activity["context"] => {
  // No user agent in Atlassian's event model.
  const context = compact({
    ip_address: event.attributes.location?.ip,
    authentication_method: event.attributes.actor?.auth?.authType,
  })
  return Object.keys(context).length === 0 ? undefined : context
}

/** The mapping with a given key table (the built-in one, or one learned from an org's catalogue). Pure. */
export const toActivityWith =
  (actionKeys: Readonly<Record<string, UnifiedAction>>) =>
  (event: AtlassianEvent, account: IntegratedAccount): Either.Either<Activity, MappingFailure> => {
    const createdAt = toUtcInstant(event.attributes.time)
    if (createdAt === undefined) {
      return Either.left({
        reason: `atlassian event ${event.id} has an unparseable time: ${JSON.stringify(event.attributes.time)}`,
      })
    }
    // The org the account reads: the path's orgId, which the event itself does not repeat.
    const organization = account.settings.organization_id
    const description = event.message?.content?.trim()
    const context = contextOf(event)
    return Either.right({
      id: event.id,
      actor: actorOf(event),
      ...(organization ? { organization } : {}),
      ...(description ? { description } : {}),
      action: Object.hasOwn(actionKeys, event.attributes.action)
        ? (actionKeys[event.attributes.action] as UnifiedAction)
        : event.attributes.action,
      ...(context === undefined ? {} : { context }),
      created_at: createdAt,
    })
  }

export const toActivity = toActivityWith(AtlassianActionKeys)
