import { Schema } from "effect"

export const FigmaRefreshToken = Schema.Struct({
  refresh_token: Schema.NonEmptyString,
  client_id: Schema.NonEmptyString,
  client_secret: Schema.NonEmptyString,
}).annotations({
  identifier: "FigmaRefreshToken",
  description:
    "OAuth 2.0 refresh token of an org admin's grant (scope `org:activity_log_read`) with the OAuth app's client id and secret, exchanged for access tokens at `https://api.figma.com/v1/oauth/refresh`.",
})

export const FigmaAccessToken = Schema.Struct({
  access_token: Schema.NonEmptyString,
}).annotations({
  identifier: "FigmaAccessToken",
  description:
    "OAuth 2.0 access token whose only scope is `org:activity_log_read`, sent as `Authorization: Bearer`; personal access tokens are not accepted by the Activity Logs API.",
})

/** Every credential form the provider accepts; more specific forms first, so a config holding several keys decodes to the richest form. */
export const FigmaCredentials = Schema.Union(FigmaRefreshToken, FigmaAccessToken)
export type FigmaCredentials = typeof FigmaCredentials.Type
