import { Schema } from "effect"

export const SalesforceRefreshToken = Schema.Struct({
  refresh_token: Schema.NonEmptyString,
  client_id: Schema.NonEmptyString,
  client_secret: Schema.NonEmptyString,
}).annotations({
  identifier: "SalesforceRefreshToken",
  description:
    "OAuth 2.0 refresh-token flow: a refresh token (scopes `api refresh_token`) with the connected/external client app's consumer key (`client_id`) and secret.",
})

export const SalesforceJwtBearer = Schema.Struct({
  client_id: Schema.NonEmptyString,
  username: Schema.NonEmptyString,
  private_key: Schema.NonEmptyString,
}).annotations({
  identifier: "SalesforceJwtBearer",
  description:
    "OAuth 2.0 JWT bearer flow: the app's consumer key (`client_id`), the Salesforce username to act as, and the PEM private key whose certificate is uploaded to the app.",
})

export const SalesforceClientCredentials = Schema.Struct({
  client_id: Schema.NonEmptyString,
  client_secret: Schema.NonEmptyString,
}).annotations({
  identifier: "SalesforceClientCredentials",
  description:
    "OAuth 2.0 client-credentials flow (server-to-server): the app's consumer key and secret, exchanged at the org's My Domain token endpoint; the app runs as its configured execution user.",
})

export const SalesforceAccessToken = Schema.Struct({
  access_token: Schema.NonEmptyString,
}).annotations({
  identifier: "SalesforceAccessToken",
  description:
    "Session / OAuth 2.0 access token, sent as `Authorization: Bearer` to the org's `instance_url`; it expires per the org's session policy.",
})

/** Every credential form the provider accepts; more specific forms first, so a config holding several keys decodes to the richest form. */
export const SalesforceCredentials = Schema.Union(
  SalesforceRefreshToken,
  SalesforceJwtBearer,
  SalesforceClientCredentials,
  SalesforceAccessToken,
)
export type SalesforceCredentials = typeof SalesforceCredentials.Type
