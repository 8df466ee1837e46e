import { Schema } from "effect"
import { bearerToken, credentialForms } from "../../auth/credentialForms.ts"

/**
 * An organization API key from Atlassian Administration (Settings > API keys), sent as Bearer. The org admin
 * API takes no other credential: site API tokens and OAuth 2.0 (3LO) tokens are refused.
 */
export const AtlassianCredentials = credentialForms("AtlassianCredentials", Schema.Union(bearerToken()))
