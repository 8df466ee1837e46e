import { hash } from "node:crypto"
import { Schema } from "effect"
import { UtcInstant } from "./Activity.ts"
import type { IntegratedAccount } from "./IntegratedAccount.ts"

/**
 * The version of the shape of every Kafka value the connector writes (activity, login_failed, dead letter),
 * semver: a minor version only adds optional fields or widens what a field accepts, anything else is a major
 * one and gets schemas of its own (`schemas/v2/…`). docs/records.md (Record schemas) says the same.
 */
export const RecordSchemaVersion = "1.0.0"

/** The major version, as it appears in the schemas' paths. */
export const recordSchemaMajor = `v${RecordSchemaVersion.split(".")[0]}`

/** The fields every Kafka value carries beside its own: which account, when fetched, which shape. */
export const RecordEnvelope = Schema.Struct({
  integrated_account_id: Schema.String.annotations({
    description: "The integrated account the record was read for (the config's account id, a uuid).",
  }),
  integration: Schema.String.annotations({
    description: "The integration of that account, by its config name: `okta`, `zoom`, `github`…",
  }),
  observed_at: UtcInstant.annotations({
    description:
      "When the connector fetched the provider page the record came from (UTC). Differs between a live read and a backfill of the same activity.",
  }),
  schema_version: Schema.String.pipe(Schema.pattern(/^1\.\d+\.\d+$/)).annotations({
    description:
      "The version of this record's shape (semver). Every 1.x record validates against the v1 schemas as published by the newest 1.x release.",
  }),
})
export type RecordEnvelope = typeof RecordEnvelope.Type

/** The envelope of a record read for `account` from a page fetched at `observedAt`. */
export const envelopeOf = (account: IntegratedAccount, observedAt: string): RecordEnvelope => ({
  integrated_account_id: account.id,
  integration: account.integration,
  observed_at: observedAt,
  schema_version: RecordSchemaVersion,
})

/** The CloudEvents `source` of an account's records: names the integration and the account. */
export const recordSource = (account: Pick<IntegratedAccount, "id" | "integration">) =>
  `/integrations/${account.integration}/accounts/${account.id}`

export const DedupeKey = Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/)).annotations({
  description:
    'Hex SHA-256 of ce_source + "\\n" + ce_id: the same activity of the same account always has the same key (live reads, re-reads after a failure, backfills), and no two accounts share one. Deduplicate on this.',
})

/**
 * The key a consumer deduplicates on. The activity id alone is only unique within one provider account (two
 * tenants of one integration, or two integrations, may reuse ids); the source adds the integration and the
 * account. The account id is a uuid, so the newline cannot occur in the source and the pair is unambiguous.
 */
export const dedupeKey = (account: Pick<IntegratedAccount, "id" | "integration">, activityId: string) =>
  // One-shot hash: a third of createHash's cost for a short input, once per record.
  hash("sha256", `${recordSource(account)}\n${activityId}`, "hex")
