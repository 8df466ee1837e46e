import { Schema } from "effect"

export const JiraApiToken = Schema.Struct({
  email: Schema.NonEmptyString,
  api_token: Schema.NonEmptyString,
}).annotations({
  identifier: "JiraApiToken",
  description:
    "Atlassian account email and API token, sent as HTTP Basic (`Authorization: Basic base64(email:api_token)`) to the site host.",
})

export const JiraOAuthToken = Schema.Struct({
  access_token: Schema.NonEmptyString,
}).annotations({
  identifier: "JiraOAuthToken",
  description:
    "OAuth 2.0 (3LO) access token (`manage:jira-configuration`, or `read:audit-log:jira` + `read:user:jira`), sent as `Authorization: Bearer`; such calls go through the gateway `https://api.atlassian.com/ex/jira/{cloudId}` (the account's `base_url`).",
})

/** Every credential form the provider accepts; more specific forms first, so a config holding several keys decodes to the richest form. */
export const JiraCredentials = Schema.Union(JiraApiToken, JiraOAuthToken)
export type JiraCredentials = typeof JiraCredentials.Type
