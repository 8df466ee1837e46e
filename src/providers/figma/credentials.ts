import { Schema } from "effect"
import { bearerToken, credentialForms, oauthRefresh } from "../../auth/credentialForms.ts"

/**
 * An org admin's OAuth 2.0 refresh token (scope `org:activity_log_read`) with the OAuth app's client id and
 * secret; or an OAuth 2.0 access token whose only scope is `org:activity_log_read` (personal access tokens
 * are not accepted by the Activity Logs API). Richest form first.
 */
export const FigmaCredentials = credentialForms(
  "FigmaCredentials",
  Schema.Union(oauthRefresh(), bearerToken()),
)
