import { Either } from "effect"
import { type Activity, compact } from "../../domain/Activity.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import type { MappingFailure } from "../ProviderAdapter.ts"
import { utcInstant } from "../utcInstant.ts"
import { isFailedAttempt } from "./failedSignIns.ts"
import type { OktaLogEventRead } from "./OktaLogEvent.ts"

/**
 * Okta event types with a clear unified counterpart (https://developer.okta.com/docs/reference/api/event-types/);
 * everything else keeps its raw eventType. A failed authentication attempt of any kind is `login_failed`
 * (see failedSignIns.ts).
 */
const actionOf = (event: OktaLogEventRead): string => {
  if (isFailedAttempt(event)) return "login_failed"
  switch (event.eventType) {
    case "user.session.start":
      // SKIPPED, CHALLENGE, … are neither a login nor a failed one.
      return event.outcome?.result === "SUCCESS" ? "login" : event.eventType
    case "user.session.end":
      return "logout"
    case "user.lifecycle.create":
      return "user_created"
    case "user.lifecycle.deactivate":
      return "user_deactivated"
    case "user.lifecycle.delete.initiated":
      return "user_deleted"
    default:
      return event.eventType
  }
}

const actorOf = (event: OktaLogEventRead): NonNullable<Activity["actor"]> => {
  const actor = event.actor
  // Okta says every event has an actor; a record without one is treated as anonymous rather than rejected.
  if (!actor) return { type: "anonymous" }
  if (actor.type === "User") {
    const user = compact({ id: actor.id })
    return user.id === undefined ? { type: "user" } : { type: "user", user: { id: user.id } }
  }
  // SystemPrincipal, PublicClientApp and other non-human principals.
  return { type: "system" }
}

const contextOf = (event: OktaLogEventRead): Activity["context"] => {
  const context = compact({
    ip_address: event.client?.ipAddress,
    user_agent: event.client?.userAgent?.rawUserAgent,
    authentication_method: event.authenticationContext?.credentialType,
  })
  return Object.keys(context).length === 0 ? undefined : context
}

/** An Okta LogEvent as a unified Activity. Pure; `remote_data` is attached by the caller. */
export const toActivity = (
  event: OktaLogEventRead,
  _account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> => {
  const createdAt = utcInstant(event.published)
  if (createdAt === undefined) {
    return Either.left({
      reason: `okta event ${event.uuid} has an unparseable published time: ${JSON.stringify(event.published)}`,
    })
  }
  const context = contextOf(event)
  return Either.right({
    id: event.uuid,
    actor: actorOf(event),
    action: actionOf(event),
    ...(context === undefined ? {} : { context }),
    created_at: createdAt,
  })
}
