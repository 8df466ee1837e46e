import { Schema } from "effect"
import { bearerToken, credentialForms, oauthRefresh } from "../../auth/credentialForms.ts"

/**
 * A team refresh token with the app's key (`client_id`) and secret, exchanged for short-lived access tokens;
 * or a team access token with `events.read` (it expires within hours). Richest form first.
 */
export const DropboxCredentials = credentialForms(
  "DropboxCredentials",
  Schema.Union(oauthRefresh(), bearerToken()),
)
