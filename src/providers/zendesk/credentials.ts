import { Schema } from "effect"

export const ZendeskApiToken = Schema.Struct({
  email: Schema.NonEmptyString,
  api_token: Schema.NonEmptyString,
}).annotations({
  identifier: "ZendeskApiToken",
  description:
    'Agent email and API token, sent as HTTP Basic (`Authorization: Basic base64("{email}/token:{api_token}")`).',
})

export const ZendeskOAuthToken = Schema.Struct({
  access_token: Schema.NonEmptyString,
}).annotations({
  identifier: "ZendeskOAuthToken",
  description: "OAuth 2.0 access token (scope `read`), sent as `Authorization: Bearer`.",
})

/** Every credential form the provider accepts; more specific forms first, so a config holding several keys decodes to the richest form. */
export const ZendeskCredentials = Schema.Union(ZendeskApiToken, ZendeskOAuthToken)
export type ZendeskCredentials = typeof ZendeskCredentials.Type
