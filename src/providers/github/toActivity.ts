import { Either } from "effect"
import type { Activity, UnifiedAction } from "../../domain/Activity.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import type { MappingFailure } from "../ProviderAdapter.ts"
import { eventTimeMs, type GitHubAuditLogEventRead } from "./GitHubAuditLogEvent.ts"
import { auditEventId } from "./recordId.ts"

// GitHub fills, per the spec's output matrix: id, actor, organization, action, created_at. Never description,
// group, entity, entity_type or context (the spec lists no context for GitHub). `remote_data` is attached by
// the caller.
//
// The org audit log has no sign-in events: `user.login` and `user.failed_login` exist only in a user's own
// security log and in the enterprise log of Enterprise Managed Users. The nearest org event, `org.sso_response`
// (a SAML response when a member authenticates to the org; API and streaming only), documents no outcome
// field, so it cannot be told apart as `login` or `login_failed` and keeps its raw name.

/** Org-membership actions with a clear unified meaning (the org is the user directory here). */
export const GitHubActionNames: Readonly<Record<string, UnifiedAction>> = {
  "org.invite_member": "user_invited",
  "org.add_member": "user_joined",
  "org.remove_member": "user_deleted",
}

/**
 * Any other `<category>.<operation>` whose operation plainly creates or deletes the thing it names
 * (`repo.create`, `team.destroy`, `environment.delete`…). Everything else keeps its raw name: `team.add_member`,
 * `org.update_member`, `repo.transfer`, `org.sso_response`, `workflows.*`…
 */
export const GitHubOperationSuffixes: ReadonlyArray<{
  readonly suffix: string
  readonly unified: UnifiedAction
}> = [
  { suffix: ".create", unified: "create" },
  { suffix: ".destroy", unified: "destroy" },
  { suffix: ".delete", unified: "destroy" },
]

export const unifiedActionOf = (action: string): string =>
  GitHubActionNames[action] ??
  GitHubOperationSuffixes.find(({ suffix }) => action.endsWith(suffix))?.unified ??
  action

const actorOf = (event: GitHubAuditLogEventRead): NonNullable<Activity["actor"]> => {
  // The numeric id is stable across renames; the login is all older events carry.
  const id = event.actor_id != null ? String(event.actor_id) : event.actor ? event.actor : undefined
  if (id === undefined) return { type: "system" }
  // GitHub Apps and Actions act as `<name>[bot]` accounts: not a person, still worth its id.
  const bot = event.actor_is_bot === true || (event.actor ?? "").endsWith("[bot]")
  return { type: bot ? "system" : "user", user: { id } }
}

/** An organization audit-log event as an Activity. Pure. */
export const toActivity = (
  event: GitHubAuditLogEventRead,
  account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> => {
  const ms = eventTimeMs(event)
  if (ms === undefined) {
    return Either.left({
      reason: `github audit event ${event._document_id ?? event.action} has no usable @timestamp or created_at`,
    })
  }
  const organization = event.org ? event.org : account.settings.organization_id
  return Either.right({
    id: auditEventId(event),
    actor: actorOf(event),
    ...(organization ? { organization } : {}),
    action: unifiedActionOf(event.action),
    created_at: new Date(ms).toISOString(),
  })
}
