import { Schema } from "effect"
import { utcInstant } from "../utcInstant.ts"

// HubSpot's account activity records (`GET /account-info/v3/activity/login`, `/security` and `/audit-logs`) and
// their list pages, per HubSpot's public OpenAPI spec (`PublicLoginAudit`, `HydratedCriticalAction`,
// `PublicApiUserActionEvent`, `CollectionResponse…ForwardPaging`). Required is what the spec requires and the mapping needs; every other
// field is optional and nullable, since the reference examples omit some of them.

export const LOGIN_PATH = "/account-info/v3/activity/login"
export const SECURITY_PATH = "/account-info/v3/activity/security"
export const AUDIT_LOGS_PATH = "/account-info/v3/activity/audit-logs"

/** A date-time with a zone (`2023-11-07T05:31:56Z`, fractions allowed); a zone-less time is refused. */
export const HubSpotTime = Schema.String.pipe(
  Schema.filter((text) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/.test(text) &&
    utcInstant(text) !== undefined
      ? undefined
      : `an ISO 8601 date-time with a zone, e.g. 2023-11-07T05:31:56Z; got ${JSON.stringify(text)}`,
  ),
  Schema.annotations({ identifier: "HubSpotTime" }),
)

/** A HubSpot user id: an int32 in the spec; kept as any non-negative safe integer. */
export const HubSpotUserId = Schema.Number.pipe(
  Schema.filter((n) => (Number.isSafeInteger(n) && n >= 0 ? undefined : `a non-negative integer; got ${n}`)),
  Schema.annotations({ identifier: "HubSpotUserId" }),
)

const optionalText = Schema.optional(Schema.NullOr(Schema.String))

/** `PublicLoginAudit`: one login attempt, successful or not. */
export const HubSpotLogin = Schema.Struct({
  id: Schema.NonEmptyString,
  loginAt: HubSpotTime,
  loginSucceeded: Schema.Boolean,
  /** Absent, HubSpot's spec allows, for an attempt not tied to a user (assumed: an unknown email). */
  userId: Schema.optional(Schema.NullOr(HubSpotUserId)),
  email: optionalText,
  ipAddress: optionalText,
  location: optionalText,
  userAgent: optionalText,
  countryCode: optionalText,
  regionCode: optionalText,
}).annotations({ identifier: "HubSpotLogin" })
export type HubSpotLogin = typeof HubSpotLogin.Type

/**
 * What the mapping reads of a login (toActivity, the failed sign-in's user), each field as HubSpotLogin declares
 * it: what the stream decodes. remote_data carries the rest as HubSpot sent it; the identifier stays the
 * record's, so a dead letter's reason reads as before. The same holds for the two schemas below.
 */
export const HubSpotLoginRead = HubSpotLogin.pipe(
  Schema.pick("id", "loginAt", "loginSucceeded", "userId", "email", "ipAddress", "userAgent"),
).annotations({ identifier: "HubSpotLogin" })
export type HubSpotLoginRead = typeof HubSpotLoginRead.Type

/** `HydratedCriticalAction`: one security ("critical") action. */
export const HubSpotSecurityAction = Schema.Struct({
  id: Schema.NonEmptyString,
  createdAt: HubSpotTime,
  /** One of 151 values in the spec (`ADD_USER`, `EXPORT`, …); unknown ones are kept raw. */
  type: Schema.NonEmptyString,
  /** The acting user. */
  userId: HubSpotUserId,
  /** The acting user's email (a string, not an object). */
  actingUser: optionalText,
  /** The object acted on. */
  objectId: optionalText,
  infoUrl: optionalText,
  ipAddress: optionalText,
  location: optionalText,
  countryCode: optionalText,
  regionCode: optionalText,
}).annotations({ identifier: "HubSpotSecurityAction" })
export type HubSpotSecurityAction = typeof HubSpotSecurityAction.Type

/** What the mapping reads of a security action. */
export const HubSpotSecurityActionRead = HubSpotSecurityAction.pipe(
  Schema.pick("id", "createdAt", "type", "userId", "objectId", "ipAddress"),
).annotations({ identifier: "HubSpotSecurityAction" })
export type HubSpotSecurityActionRead = typeof HubSpotSecurityActionRead.Type

export const HubSpotActingUser = Schema.Struct({ userId: HubSpotUserId, userEmail: optionalText })

/** `PublicApiUserActionEvent`: one user action of the centralized audit log (Enterprise accounts only). */
export const HubSpotAuditEvent = Schema.Struct({
  /** Long and opaque (`"jAzNiQgaEZUTlJISRtESldLGFNM"`). */
  id: Schema.NonEmptyString,
  /** `LOGIN`, `CRM_OBJECT`, `PROPERTY_VALUE`, `PIPELINE`, `CRITICAL_ACTION`, …; no list is published. */
  category: Schema.String,
  /** `LOGIN_SUCCEEDED`, `CONTACT`, `DEAL`, `PRIVATE_APP_ACCESS_TOKEN_VIEW`, … */
  subCategory: optionalText,
  /** `CREATE`, `UPDATE`, `PERFORM`, …; no list is published. */
  action: Schema.String,
  /** The object acted on: an id, or a name (`"Sales Pipeline"`). */
  targetObjectId: optionalText,
  occurredAt: HubSpotTime,
  actingUser: HubSpotActingUser,
}).annotations({ identifier: "HubSpotAuditEvent" })
export type HubSpotAuditEvent = typeof HubSpotAuditEvent.Type

/** What the mapping reads of an audit-log event. */
export const HubSpotAuditEventRead = HubSpotAuditEvent.pipe(
  Schema.pick("id", "category", "subCategory", "action", "targetObjectId", "occurredAt"),
  Schema.extend(Schema.Struct({ actingUser: HubSpotActingUser.pipe(Schema.pick("userId")) })),
).annotations({ identifier: "HubSpotAuditEvent" })
export type HubSpotAuditEventRead = typeof HubSpotAuditEventRead.Type

/** A list page: `results`, and `paging.next.after` while there is more. */
export const HubSpotPage = Schema.Struct({
  results: Schema.Array(Schema.Unknown),
  paging: Schema.optional(
    Schema.NullOr(
      Schema.Struct({
        next: Schema.optional(
          Schema.NullOr(
            Schema.Struct({ after: Schema.optional(Schema.NullOr(Schema.String)), link: optionalText }),
          ),
        ),
      }),
    ),
  ),
}).annotations({ identifier: "HubSpotPage" })
export type HubSpotPage = typeof HubSpotPage.Type

/** HubSpot's error body: `{status, message, correlationId, category, subCategory?, errorType?, policyName?}`. */
export const HubSpotError = Schema.Struct({
  message: Schema.String,
  category: Schema.optional(Schema.String),
  errorType: Schema.optional(Schema.String),
  policyName: Schema.optional(Schema.String),
  correlationId: Schema.optional(Schema.String),
}).annotations({ identifier: "HubSpotError" })

/** For ProviderHttp's `describeError`: the category (or 429 `errorType`/`policyName`) and message. */
export const describeHubSpotError = (body: unknown): { code?: string; message?: string } => {
  const decoded = Schema.decodeUnknownOption(HubSpotError)(body)
  if (decoded._tag === "None") return {}
  const { message, category, errorType, policyName } = decoded.value
  const code =
    category ?? (errorType === undefined ? undefined : `${errorType}${policyName ? ` ${policyName}` : ""}`)
  return code === undefined ? { message } : { code, message }
}
