import { Schema } from "effect"
import { hasRecordId } from "./recordId.ts"
import { SObjectAttributes } from "./SalesforceQueryResult.ts"
import { optionalText, SalesforceDateTime } from "./salesforceTime.ts"

// A SetupAuditTrail row: a change made in Setup (users created, deactivated, frozen; permission sets; connected
// apps…), kept 180 days. Required is what the mapping needs: the id, `Action` and `CreatedDate`.

export const SETUP_AUDIT_TRAIL = "SetupAuditTrail"

export const SalesforceSetupAuditTrail = Schema.Struct({
  attributes: Schema.optional(SObjectAttributes),
  Id: optionalText,
  /** A code such as `createduser`, `deactivateduser`, `PermSetAssign`; casing varies between codes. */
  Action: Schema.NonEmptyString,
  /** The Setup menu section, e.g. `Manage Users`. */
  Section: optionalText,
  /** Salesforce's human description of the change. */
  Display: optionalText,
  CreatedDate: SalesforceDateTime,
  /** The user who made the change. */
  CreatedById: optionalText,
  /** e.g. `Einstein` (API 48.0+). */
  CreatedByContext: optionalText,
  CreatedByIssuer: optionalText,
  /** The admin who acted while logged in as another user. */
  DelegateUser: optionalText,
  ResponsibleNamespacePrefix: optionalText,
})
  .pipe(Schema.filter(hasRecordId))
  .annotations({ identifier: "SalesforceSetupAuditTrail" })
export type SalesforceSetupAuditTrail = typeof SalesforceSetupAuditTrail.Type

/**
 * The part of a row the mapping reads, each field as SalesforceSetupAuditTrail declares it, and the same id
 * check: what the stream decodes. remote_data carries the rest as Salesforce sent it; the identifier stays the
 * row's, so a dead letter's reason reads as before.
 */
export const SalesforceSetupAuditTrailRead = SalesforceSetupAuditTrail.pipe(
  Schema.pick("attributes", "Id", "Action", "CreatedDate", "CreatedById"),
  Schema.filter(hasRecordId),
).annotations({ identifier: "SalesforceSetupAuditTrail" })
export type SalesforceSetupAuditTrailRead = typeof SalesforceSetupAuditTrailRead.Type
