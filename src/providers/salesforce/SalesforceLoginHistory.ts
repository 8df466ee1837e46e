import { Schema } from "effect"
import { hasRecordId } from "./recordId.ts"
import { SObjectAttributes } from "./SalesforceQueryResult.ts"
import { optionalText, SalesforceDateTime } from "./salesforceTime.ts"

// A LoginHistory row as the query API answers it: every successful and failed login to the org (about six
// months kept). Required is what the mapping needs: the row's id (its `Id`, or the last segment of
// `attributes.url`, which is the same id), `LoginTime` and `Status`. The rest is optional: unselected fields
// are absent, selected empty ones null. Undeclared fields pass and stay in `remote_data`.

export const LOGIN_HISTORY = "LoginHistory"

export const SalesforceLoginHistory = Schema.Struct({
  attributes: Schema.optional(SObjectAttributes),
  Id: optionalText,
  /** The user who logged in (`005…`); null for some failed attempts. */
  UserId: optionalText,
  LoginTime: SalesforceDateTime,
  /** `Success`, or a failure text such as `Invalid Password`; no exhaustive list is published. */
  Status: Schema.NonEmptyString,
  /** e.g. `Application` (UI), `Remote Access 2.0` (OAuth), `SAML Idp Initiated SSO`. */
  LoginType: optionalText,
  SourceIp: optionalText,
  LoginUrl: optionalText,
  Application: optionalText,
  /** A product name such as `Chrome 115`, not a user-agent string. */
  Browser: optionalText,
  Platform: optionalText,
  ApiType: optionalText,
  ApiVersion: optionalText,
  AuthenticationServiceId: optionalText,
  CountryIso: optionalText,
  LoginSubType: optionalText,
  TlsProtocol: optionalText,
  CipherSuite: optionalText,
})
  .pipe(Schema.filter(hasRecordId))
  .annotations({ identifier: "SalesforceLoginHistory" })
export type SalesforceLoginHistory = typeof SalesforceLoginHistory.Type

/**
 * The part of a row the mapping reads (its id, toActivity, the failed sign-in's reason), each field as
 * SalesforceLoginHistory declares it, and the same id check: what the stream decodes. The login URL, browser,
 * platform, API and TLS fields are not decoded, as nothing reads them; remote_data carries the row as
 * Salesforce sent it. The identifier stays the row's, so a dead letter's reason reads as before.
 */
export const SalesforceLoginHistoryRead = SalesforceLoginHistory.pipe(
  Schema.pick("attributes", "Id", "UserId", "LoginTime", "Status", "LoginType", "SourceIp"),
  Schema.filter(hasRecordId),
).annotations({ identifier: "SalesforceLoginHistory" })
export type SalesforceLoginHistoryRead = typeof SalesforceLoginHistoryRead.Type
