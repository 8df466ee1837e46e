import { Schema } from "effect"
import { basic, bearerToken, credentialForms } from "../../auth/credentialForms.ts"

/**
 * An agent's email and API token, as HTTP Basic `{email}/token:{api_token}`, or an OAuth 2.0 access token
 * (scope `read`). Richest form first.
 */
export const ZendeskCredentials = credentialForms(
  "ZendeskCredentials",
  Schema.Union(basic("email", "api_token", { usernameSuffix: "/token" }), bearerToken()),
)
