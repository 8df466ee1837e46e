import { Either } from "effect"
import { type Activity, compact, type UnifiedAction } from "../../domain/Activity.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import type { MappingFailure } from "../ProviderAdapter.ts"
import { utcInstant } from "../utcInstant.ts"
import type { BrowserStackAuditLog } from "./BrowserStackAuditLog.ts"
import { syntheticId } from "./recordId.ts"

// BrowserStack fills, per the spec's output matrix: id, actor, description, action, context, created_at. Never
// organization, group, entity or entity_type. `remote_data` is attached by the caller. Field names are assumed
// (see BrowserStackAuditLog.ts): the first present of each set of alternatives is read.

/**
 * Activity keys of the confirmed catalogue (`GET /audit/v1/activities`) with a clear unified counterpart.
 * Every other key (role and product changes, invitation links, provisioning settings, …) keeps its raw value.
 */
export const ActivityKeyActions: Readonly<Record<string, UnifiedAction>> = {
  signed_in: "login",
  failed_to_sign_in: "login_failed",
  signed_out: "logout",
  sent_invitation_via_email: "user_invited",
  resent_invitation: "user_invited",
  added_member: "user_created",
  added_member_from_identity_provider: "user_created",
  added_member_using_rest_apis: "user_created",
  removed_member: "user_deleted",
  removed_member_from_identity_provider: "user_deleted",
  removed_member_using_rest_apis: "user_deleted",
  deleted_account: "user_deleted",
  exported_users: "exported",
  created_team: "create",
  created_team_using_rest_apis: "create",
  deleted_team: "destroy",
  deleted_team_using_rest_apis: "destroy",
}

const textOf = (value: string | number | null | undefined): string | undefined =>
  value === undefined || value === null || value === "" ? undefined : String(value)

/** Epoch numbers below 10^12 are read as seconds, larger ones as milliseconds. */
const instantOf = (value: string | number): string | undefined =>
  utcInstant(typeof value === "number" && value < 1e12 ? value * 1000 : value)

/** The actor's identifier: its id, else its email, else its name; a plain string is taken as is. */
export const actorIdOf = (record: BrowserStackAuditLog): string | undefined => {
  const actor = record.actor
  if (typeof actor === "string") return textOf(actor)
  return (
    textOf(actor?.id) ??
    textOf(actor?.user_id) ??
    textOf(actor?.email) ??
    textOf(actor?.name) ??
    textOf(record.actor_id) ??
    textOf(record.actor_email)
  )
}

/** An audit-log entry as an Activity. Pure. */
export const toActivity = (
  record: BrowserStackAuditLog,
  _account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> => {
  const time = record.timestamp ?? record.created_at ?? record.date
  const createdAt = time === undefined || time === null ? undefined : instantOf(time)
  if (createdAt === undefined) {
    return Either.left({
      reason: `browserstack audit log has no usable time: ${JSON.stringify(time ?? null)}`,
    })
  }
  const actorId = actorIdOf(record)
  if (actorId === undefined) return Either.left({ reason: "browserstack audit log names no actor" })
  const key = record.activity ?? record.action ?? undefined
  const context = compact({ ip_address: record.ip_address ?? record.ip, user_agent: record.user_agent })
  return Either.right({
    id: textOf(record.id) ?? syntheticId(record),
    actor: { type: "user", user: { id: actorId } },
    ...compact({
      description: record.description,
      action: key ? (ActivityKeyActions[key] ?? key) : undefined,
    }),
    ...(Object.keys(context).length === 0 ? {} : { context }),
    created_at: createdAt,
  })
}
