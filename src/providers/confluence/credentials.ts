import { Schema } from "effect"

export const ConfluenceApiToken = Schema.Struct({
  email: Schema.NonEmptyString,
  api_token: Schema.NonEmptyString,
}).annotations({
  identifier: "ConfluenceApiToken",
  description:
    "Atlassian account email and API token, sent as HTTP Basic (`Authorization: Basic base64(email:api_token)`) to the site host.",
})

export const ConfluenceOAuthToken = Schema.Struct({
  access_token: Schema.NonEmptyString,
}).annotations({
  identifier: "ConfluenceOAuthToken",
  description:
    "OAuth 2.0 (3LO) access token with scope `read:audit-log:confluence`, sent as `Authorization: Bearer`; such calls go through the gateway `https://api.atlassian.com/ex/confluence/{cloudId}` (the account's `base_url`).",
})

/** Every credential form the provider accepts; more specific forms first, so a config holding several keys decodes to the richest form. */
export const ConfluenceCredentials = Schema.Union(ConfluenceApiToken, ConfluenceOAuthToken)
export type ConfluenceCredentials = typeof ConfluenceCredentials.Type
