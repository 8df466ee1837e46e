import { Schema } from "effect"
import { bearerToken, credentialForms } from "../../auth/credentialForms.ts"

/** A Service Account's personal access token (which the Audit Log API requires) or an OAuth 2.0 access token. */
export const AsanaCredentials = credentialForms("AsanaCredentials", Schema.Union(bearerToken()))
