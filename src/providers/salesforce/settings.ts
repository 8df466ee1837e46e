import { Schema } from "effect"
import { HttpUrl } from "../../domain/HttpUrl.ts"
import { SalesforceApiVersion } from "./tailQuery.ts"

/** Production orgs' login host; sandboxes use `https://test.salesforce.com`. */
export const SALESFORCE_LOGIN_URL = "https://login.salesforce.com"

export const SalesforceSettings = Schema.Struct({
  login_url: Schema.optional(HttpUrl),
  /** The REST API version requests are pinned to, e.g. `62.0` (the default). */
  api_version: Schema.optional(SalesforceApiVersion),
  /**
   * `true` when the connected app or external client app has Refresh Token Rotation enabled: each refresh
   * answers a new refresh token and invalidates the one sent, so `credentials_store` must be configured.
   */
  refresh_token_rotation: Schema.optional(Schema.Literal("true", "false")),
}).annotations({
  identifier: "SalesforceSettings",
  description: `\`login_url\`: where the refresh-token and JWT bearer grants go (\`/services/oauth2/token\`) and the JWT's audience, default ${SALESFORCE_LOGIN_URL}; the token request (and only it) may go to that origin. The client-credentials grant goes to the org's own My Domain, the account's \`base_url\`. \`api_version\`: the REST API version requests are pinned to, 48.0 or later, default 62.0. \`refresh_token_rotation\`: \`true\` when the app rotates refresh tokens (then \`credentials_store\` is required).`,
})
