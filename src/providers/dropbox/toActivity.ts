import { Either } from "effect"
import type { Activity, UnifiedAction } from "../../domain/Activity.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import type { MappingFailure } from "../ProviderAdapter.ts"
import { utcInstant } from "../utcInstant.ts"
import { type TeamEventRecord, teamEventId } from "./DropboxTeamEvent.ts"

// Dropbox fills, per the spec's output matrix: id, actor, action, context, created_at (and remote_data, attached
// by the caller). Never organization, group, description, entity or entity_type.

/**
 * Dropbox event types with a unified counterpart: the sign-in events of the `logins` category. Every other type
 * (`member_change_status`, `sign_in_as_session_start`, `password_change`…) keeps its raw tag: Dropbox documents no
 * equivalence for them.
 */
export const DropboxActions: Readonly<Record<string, UnifiedAction>> = {
  login_success: "login",
  login_fail: "login_failed",
  logout: "logout",
}

/** The event type each accepted `action` filter value is, for `get_events`' `event_type` argument. */
export const eventTypeFor = (action: string): string | undefined =>
  Object.entries(DropboxActions).find(([, unified]) => unified === action)?.[0]

const actorOf = (record: TeamEventRecord["event"]["actor"]): Activity["actor"] | undefined => {
  switch (record?.[".tag"]) {
    case "user":
    case "admin": {
      const id = (record[".tag"] === "user" ? record.user : record.admin)?.account_id
      return id ? { type: "user", user: { id } } : { type: "user" }
    }
    case "anonymous":
      return { type: "anonymous" }
    case "app":
    case "dropbox":
    case "reseller":
      return { type: "system" }
    default:
      return undefined
  }
}

/** A team event as an Activity. Pure: the id is the hash of the event as received. */
export const teamEventToActivity = (
  { raw, event }: TeamEventRecord,
  _account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> => {
  const createdAt = utcInstant(event.timestamp)
  if (createdAt === undefined)
    return Either.left({ reason: `dropbox event has an impossible timestamp: ${event.timestamp}` })
  const type = event.event_type[".tag"]
  const actor = actorOf(event.actor)
  const ip = event.origin?.geo_location?.ip_address
  const method = type in DropboxActions ? event.details?.login_method?.[".tag"] : undefined
  const context = {
    ...(ip ? { ip_address: ip } : {}),
    ...(method ? { authentication_method: method } : {}),
  }
  return Either.right({
    id: teamEventId(raw),
    ...(actor === undefined ? {} : { actor }),
    action: DropboxActions[type] ?? type,
    ...(Object.keys(context).length > 0 ? { context } : {}),
    created_at: createdAt,
  })
}
