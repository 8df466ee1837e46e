import { Schema } from "effect"
import { bearerToken, credentialForms, privateKeyJwt, sswsToken } from "../../auth/credentialForms.ts"

/**
 * An OAuth service app's client id and private key (client credentials with `private_key_jwt`, the form
 * whose tokens the connector renews); an API token (`SSWS`); or an OAuth 2.0 access token with scope
 * `okta.logs.read` (`Bearer`), which expires within the hour and cannot be renewed. Richest form first.
 */
export const OktaCredentials = credentialForms(
  "OktaCredentials",
  Schema.Union(privateKeyJwt(), sswsToken(), bearerToken()),
)
