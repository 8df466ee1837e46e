import { Schema } from "effect"

export const DropboxRefreshToken = Schema.Struct({
  refresh_token: Schema.NonEmptyString,
  client_id: Schema.NonEmptyString,
  client_secret: Schema.NonEmptyString,
}).annotations({
  identifier: "DropboxRefreshToken",
  description:
    "OAuth 2.0 offline access: a team refresh token with the app's key (`client_id`) and secret, exchanged at the token endpoint (`grant_type=refresh_token`) for short-lived access tokens.",
})

export const DropboxAccessToken = Schema.Struct({
  access_token: Schema.NonEmptyString,
}).annotations({
  identifier: "DropboxAccessToken",
  description:
    "Team access token with scope `events.read`, sent as `Authorization: Bearer`. Dropbox access tokens are short-lived (hours); prefer the refresh-token form for a long-running stream.",
})

/** Every credential form the provider accepts; more specific forms first, so a config holding several keys decodes to the richest form. */
export const DropboxCredentials = Schema.Union(DropboxRefreshToken, DropboxAccessToken)
export type DropboxCredentials = typeof DropboxCredentials.Type
