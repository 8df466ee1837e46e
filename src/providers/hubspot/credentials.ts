import { Schema } from "effect"
import { bearerToken, credentialForms, oauthRefresh } from "../../auth/credentialForms.ts"

/**
 * An OAuth 2.0 refresh token (scope `account-info.security.read`) with the app's client id and secret; or a
 * private-app access token (which does not expire) or OAuth 2.0 access token with that scope. Richest first.
 */
export const HubSpotCredentials = credentialForms(
  "HubSpotCredentials",
  Schema.Union(oauthRefresh(), bearerToken()),
)
