import { Either } from "effect"
import { type Activity, compact, type UnifiedAction } from "../../domain/Activity.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import type { MappingFailure } from "../ProviderAdapter.ts"
import { utcInstant } from "../utcInstant.ts"
import type { AtlassianEventRead } from "./AtlassianEvent.ts"

// Atlassian fills, per the spec's output matrix: id, actor, organization, description, action, context,
// created_at. Never group, entity or entity_type. `remote_data` is attached by the caller.
//
// Atlassian publishes no list of its action keys. Its `GET /admin/v1/orgs/{orgId}/event-actions` returns an
// org's keys with localized display names only
// (https://developer.atlassian.com/cloud/admin/organization/rest/api-group-events/), so a key's meaning can be
// had from it only by matching display text in whatever language the org's admin reads. The keys mapped here
// are those third-party integrations record (Panther's Atlassian data model maps `user_login`, `user_logout`,
// `user_created`); anything else keeps its raw key. `user_logged_in_as_user` is an admin impersonating a user,
// not that user signing in; no failed sign-in activity is documented.

/** Action keys with a clear unified meaning, as third-party integrations record them. */
export const AtlassianActionKeys: Readonly<Record<string, UnifiedAction>> = {
  user_login: "login",
  user_logout: "logout",
  user_created: "user_created",
}

const actorOf = (event: AtlassianEventRead): NonNullable<Activity["actor"]> => {
  const id = event.attributes.actor?.id
  return id ? { type: "user", user: { id } } : { type: "system" }
}

const contextOf = (event: AtlassianEventRead): Activity["context"] => {
  // No user agent in Atlassian's event model.
  const context = compact({
    ip_address: event.attributes.location?.ip,
    authentication_method: event.attributes.actor?.auth?.authType,
  })
  return Object.keys(context).length === 0 ? undefined : context
}

export const toActivity = (
  event: AtlassianEventRead,
  account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> => {
  const createdAt = utcInstant(event.attributes.time)
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
    action: Object.hasOwn(AtlassianActionKeys, event.attributes.action)
      ? (AtlassianActionKeys[event.attributes.action] as UnifiedAction)
      : event.attributes.action,
    ...(context === undefined ? {} : { context }),
    created_at: createdAt,
  })
}
