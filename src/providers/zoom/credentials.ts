import { Schema } from "effect"

export const ZoomServerToServerOAuth = Schema.Struct({
  account_id: Schema.NonEmptyString,
  client_id: Schema.NonEmptyString,
  client_secret: Schema.NonEmptyString,
}).annotations({
  identifier: "ZoomServerToServerOAuth",
  description:
    "Server-to-Server OAuth app credentials, exchanged (`grant_type=account_credentials`, Basic `client_id:client_secret`) for one-hour access tokens; there is no refresh token. The token URL, where it differs from Zoom's, is an account setting, not a credential.",
})

export const ZoomAccessToken = Schema.Struct({
  access_token: Schema.NonEmptyString,
}).annotations({
  identifier: "ZoomAccessToken",
  description:
    "OAuth 2.0 access token with `report:read:admin` (or the granular report scopes), sent as `Authorization: Bearer`; it lasts one hour.",
})

/** Every credential form the provider accepts; more specific forms first, so a config holding several keys decodes to the richest form. */
export const ZoomCredentials = Schema.Union(ZoomServerToServerOAuth, ZoomAccessToken)
export type ZoomCredentials = typeof ZoomCredentials.Type
