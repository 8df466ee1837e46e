import { Schema } from "effect"
import { bearerToken, credentialForms } from "../../auth/credentialForms.ts"

/**
 * An organization owner's personal access token with `read:audit_log`, or a GitHub App installation token
 * with organization Administration (read) permission.
 */
export const GitHubCredentials = credentialForms("GitHubCredentials", Schema.Union(bearerToken()))
