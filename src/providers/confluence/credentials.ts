import { Schema } from "effect"
import { basic, bearerToken, credentialForms } from "../../auth/credentialForms.ts"

/**
 * An Atlassian account's email and API token (HTTP Basic, to the site host), or an OAuth 2.0 (3LO) access
 * token with `read:audit-log:confluence` (Bearer, through the gateway
 * `https://api.atlassian.com/ex/confluence/{cloudId}` as the account's `base_url`). Richest form first.
 */
export const ConfluenceCredentials = credentialForms(
  "ConfluenceCredentials",
  Schema.Union(basic("email", "api_token"), bearerToken()),
)
