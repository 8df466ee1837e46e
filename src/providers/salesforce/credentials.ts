import { Schema } from "effect"
import {
  bearerToken,
  clientCredentials,
  credentialForms,
  jwtBearer,
  oauthRefresh,
} from "../../auth/credentialForms.ts"

/**
 * A connected / external client app's consumer key (`client_id`) with, richest form first: its secret and a
 * refresh token (scopes `api refresh_token`); the user to act as and the PEM private key whose certificate is
 * uploaded to the app (JWT bearer); its secret alone (client credentials, run as the app's execution user).
 * Or a session / OAuth 2.0 access token alone, which expires per the org's session policy.
 */
export const SalesforceCredentials = credentialForms(
  "SalesforceCredentials",
  Schema.Union(oauthRefresh(), jwtBearer(), clientCredentials(), bearerToken()),
)
