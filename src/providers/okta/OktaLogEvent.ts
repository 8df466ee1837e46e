import { Schema } from "effect"

// Okta's System Log LogEvent, as documented (developer.okta.com/docs/reference/api/system-log/#logevent-object).
// Only what the mapping needs is required; the rest is optional and nullable because real events carry
// `null` in most nested places, and a new or missing field must not turn a real event into a dead letter.

const nullable = <S extends Schema.Schema.Any>(schema: S) => Schema.optional(Schema.NullOr(schema))

/** `String -> String/Resource map` in the docs: values are strings or nested objects. */
const DetailMap = Schema.Record({ key: Schema.String, value: Schema.Unknown })

const GeographicalContext = Schema.Struct({
  geolocation: nullable(Schema.Struct({ lat: nullable(Schema.Number), lon: nullable(Schema.Number) })),
  city: nullable(Schema.String),
  state: nullable(Schema.String),
  country: nullable(Schema.String),
  postalCode: nullable(Schema.String),
})

export const OktaActor = Schema.Struct({
  id: nullable(Schema.String),
  /** e.g. `User`, `SystemPrincipal`, `PublicClientApp`. */
  type: nullable(Schema.String),
  alternateId: nullable(Schema.String),
  displayName: nullable(Schema.String),
  detailEntry: nullable(DetailMap),
})

export const OktaClient = Schema.Struct({
  userAgent: nullable(
    Schema.Struct({
      rawUserAgent: nullable(Schema.String),
      os: nullable(Schema.String),
      browser: nullable(Schema.String),
    }),
  ),
  geographicalContext: nullable(GeographicalContext),
  /** The string `"null"` in real data when no network zone matched. */
  zone: nullable(Schema.String),
  ipAddress: nullable(Schema.String),
  device: nullable(Schema.String),
  id: nullable(Schema.String),
})

export const OktaOutcome = Schema.Struct({
  /** SUCCESS, FAILURE, SKIPPED, ALLOW, DENY, CHALLENGE, UNKNOWN. */
  result: nullable(Schema.String),
  reason: nullable(Schema.String),
})

export const OktaTarget = Schema.Struct({
  id: nullable(Schema.String),
  type: nullable(Schema.String),
  alternateId: nullable(Schema.String),
  displayName: nullable(Schema.String),
  detailEntry: nullable(DetailMap),
  changeDetails: nullable(Schema.Struct({ from: nullable(DetailMap), to: nullable(DetailMap) })),
})

export const OktaAuthenticationContext = Schema.Struct({
  authenticationProvider: nullable(Schema.String),
  credentialProvider: nullable(Schema.String),
  /** OTP, SMS, PASSWORD, ASSERTION, IWA, EMAIL, OAUTH2, JWT, CERTIFICATE, … — null on failed sign-ins. */
  credentialType: nullable(Schema.String),
  issuer: nullable(Schema.Struct({ id: nullable(Schema.String), type: nullable(Schema.String) })),
  externalSessionId: nullable(Schema.String),
  interface: nullable(Schema.String),
  authenticationStep: nullable(Schema.Number),
})

export const OktaLogEvent = Schema.Struct({
  uuid: Schema.NonEmptyString,
  /** ISO 8601 with milliseconds and `Z`; parsed by the mapping, which reports an unparseable value. */
  published: Schema.String,
  eventType: Schema.NonEmptyString,
  version: nullable(Schema.String),
  severity: nullable(Schema.String),
  legacyEventType: nullable(Schema.String),
  displayMessage: nullable(Schema.String),
  actor: nullable(OktaActor),
  client: nullable(OktaClient),
  /** Device context; a newer field, absent on most events. */
  device: nullable(DetailMap),
  outcome: nullable(OktaOutcome),
  target: nullable(Schema.Array(OktaTarget)),
  transaction: nullable(
    Schema.Struct({
      id: nullable(Schema.String),
      type: nullable(Schema.String),
      detail: nullable(DetailMap),
    }),
  ),
  debugContext: nullable(Schema.Struct({ debugData: nullable(DetailMap) })),
  authenticationContext: nullable(OktaAuthenticationContext),
  securityContext: nullable(
    Schema.Struct({
      asNumber: nullable(Schema.Number),
      asOrg: nullable(Schema.String),
      isp: nullable(Schema.String),
      domain: nullable(Schema.String),
      isProxy: nullable(Schema.Boolean),
    }),
  ),
  request: nullable(
    Schema.Struct({
      ipChain: nullable(
        Schema.Array(
          Schema.Struct({
            ip: nullable(Schema.String),
            geographicalContext: nullable(GeographicalContext),
            version: nullable(Schema.String),
            source: nullable(Schema.String),
          }),
        ),
      ),
    }),
  ),
}).annotations({ identifier: "OktaLogEvent" })
export type OktaLogEvent = typeof OktaLogEvent.Type

/**
 * The part of a LogEvent the mapping reads (toActivity, failedSignIns), each field as OktaLogEvent declares it:
 * what the stream decodes. The rest (targets, debug data, request chains: most of an event's bytes) is not
 * decoded, as nothing reads it; remote_data carries it as Okta sent it. Decoding this costs a sixth of the
 * whole LogEvent (BENCHMARKS.md, mapping), and an event whose unread parts are malformed is no dead letter.
 * The identifier stays the LogEvent's, so a dead letter's reason reads as before.
 */
export const OktaLogEventRead = OktaLogEvent.pipe(
  Schema.pick("uuid", "published", "eventType", "displayMessage", "outcome"),
  Schema.extend(
    Schema.Struct({
      actor: nullable(OktaActor.pipe(Schema.pick("id", "type", "alternateId"))),
      client: nullable(OktaClient.pipe(Schema.pick("ipAddress", "userAgent"))),
      authenticationContext: nullable(OktaAuthenticationContext.pipe(Schema.pick("credentialType"))),
    }),
  ),
).annotations({ identifier: "OktaLogEvent" })
export type OktaLogEventRead = typeof OktaLogEventRead.Type

/** Okta's error body, on every non-2xx answer (developer.okta.com/docs/reference/error-codes/). */
export const OktaError = Schema.Struct({
  errorCode: Schema.String,
  errorSummary: Schema.String,
  errorLink: Schema.optional(Schema.String),
  errorId: Schema.optional(Schema.String),
  errorCauses: Schema.optional(Schema.Array(Schema.Struct({ errorSummary: Schema.String }))),
}).annotations({ identifier: "OktaError" })
export type OktaError = typeof OktaError.Type
