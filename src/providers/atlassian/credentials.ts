import { Schema } from "effect"

export const AtlassianOrgApiKey = Schema.Struct({
  access_token: Schema.NonEmptyString,
}).annotations({
  identifier: "AtlassianOrgApiKey",
  description:
    "Organization API key created in Atlassian Administration (Settings > API keys), sent as `Authorization: Bearer`. The org admin API takes no other credential: site API tokens and OAuth 2.0 (3LO) tokens are refused.",
})

/** The credential form the provider accepts. */
export const AtlassianCredentials = Schema.Union(AtlassianOrgApiKey)
export type AtlassianCredentials = typeof AtlassianCredentials.Type
