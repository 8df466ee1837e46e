import { Schema } from "effect"

export const HubSpotRefreshToken = Schema.Struct({
  refresh_token: Schema.NonEmptyString,
  client_id: Schema.NonEmptyString,
  client_secret: Schema.NonEmptyString,
}).annotations({
  identifier: "HubSpotRefreshToken",
  description:
    "OAuth 2.0 refresh token (scope `account-info.security.read`) with the app's client id and secret, exchanged at `https://api.hubapi.com/oauth/v1/token` for short-lived access tokens.",
})

export const HubSpotAccessToken = Schema.Struct({
  access_token: Schema.NonEmptyString,
}).annotations({
  identifier: "HubSpotAccessToken",
  description:
    "Private-app access token or OAuth 2.0 access token with scope `account-info.security.read`, sent as `Authorization: Bearer`.",
})

/** Every credential form the provider accepts; more specific forms first, so a config holding several keys decodes to the richest form. */
export const HubSpotCredentials = Schema.Union(HubSpotRefreshToken, HubSpotAccessToken)
export type HubSpotCredentials = typeof HubSpotCredentials.Type
