import { Either } from "effect"
import { type Activity, compact } from "../../domain/Activity.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import type { MappingFailure } from "../ProviderAdapter.ts"
import { utcInstant } from "../utcInstant.ts"
import type { ConfluenceAuditRecordRead } from "./ConfluenceAuditRecord.ts"
import { auditRecordId } from "./recordId.ts"

// Confluence fills, per the spec's output matrix: id (synthetic), actor, description, entity_type, context,
// created_at. Never `action` (the spec lists none for Confluence), organization, group or entity (the affected
// object has a name but no id). `remote_data` is attached by the caller.

/** An audit record as an Activity. Pure. */
export const toActivity = (
  record: ConfluenceAuditRecordRead,
  _account: IntegratedAccount,
): Either.Either<Activity, MappingFailure> => {
  const createdAt = utcInstant(record.creationDate)
  if (createdAt === undefined) {
    return Either.left({
      reason: `confluence audit record has an unusable creationDate: ${record.creationDate}`,
    })
  }
  const accountId = record.author?.accountId
  const context = compact({ ip_address: record.remoteAddress })
  return Either.right({
    id: auditRecordId(record),
    // `author.type` is `user` even for System; only an account id names a user.
    actor: accountId ? { type: "user", user: { id: accountId } } : { type: "system" },
    ...compact({ description: record.summary, entity_type: record.affectedObject?.objectType }),
    ...(Object.keys(context).length === 0 ? {} : { context }),
    created_at: createdAt,
  })
}
