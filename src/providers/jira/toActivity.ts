import { Either } from "effect"
import { type Activity, compact } from "../../domain/Activity.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import type { MappingFailure } from "../ProviderAdapter.ts"
import { utcInstant } from "../utcInstant.ts"
import { type JiraAuditRecordRead, normaliseOffset } from "./JiraAuditRecord.ts"

// Jira fills, per the spec's output matrix: id, actor, description, entity, entity_type, context, created_at.
// Never `action` (the spec lists none for Jira: `summary` is English text, not an event code), organization
// or group. `remote_data` is attached by the caller.

/** An audit record as an Activity. Pure. */
export const toActivity = (
  record: JiraAuditRecordRead,
  _account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> => {
  const createdAt = utcInstant(normaliseOffset(record.created))
  if (createdAt === undefined) {
    return Either.left({
      reason: `jira audit record has an unparseable created: ${JSON.stringify(record.created)}`,
    })
  }
  const object = record.objectItem
  const context = compact({ ip_address: record.remoteAddress })
  return Either.right({
    id: String(record.id),
    // Records Jira or directory sync make carry no author: the system did it.
    actor: record.authorAccountId
      ? { type: "user", user: { id: record.authorAccountId } }
      : { type: "system" },
    ...compact({
      description: record.summary,
      // A group has no id, only its name, which is what identifies it.
      entity: object?.id || object?.name,
      entity_type: object?.typeName,
    }),
    ...(Object.keys(context).length === 0 ? {} : { context }),
    created_at: createdAt,
  })
}
