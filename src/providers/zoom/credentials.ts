import { Schema } from "effect"
import { accountCredentials, bearerToken, credentialForms } from "../../auth/credentialForms.ts"

/**
 * A Server-to-Server OAuth app's account id, client id and secret, exchanged for one-hour access tokens (the
 * token URL, where it differs from Zoom's, is an account setting, not a credential); or an OAuth 2.0 access
 * token with `report:read:admin` (or the granular report scopes), which lasts one hour. Richest form first.
 */
export const ZoomCredentials = credentialForms(
  "ZoomCredentials",
  Schema.Union(accountCredentials(), bearerToken()),
)
