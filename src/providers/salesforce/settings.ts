import { Schema } from "effect"
import { HttpUrl } from "../../domain/HttpUrl.ts"

/** Production orgs' login host; sandboxes use `https://test.salesforce.com`. */
export const SALESFORCE_LOGIN_URL = "https://login.salesforce.com"

export const SalesforceSettings = Schema.Struct({
  login_url: Schema.optional(HttpUrl),
}).annotations({
  identifier: "SalesforceSettings",
  description: `\`login_url\`: where the refresh-token and JWT bearer grants go (\`/services/oauth2/token\`) and the JWT's audience, default ${SALESFORCE_LOGIN_URL}; the token request (and only it) may go to that origin. The client-credentials grant goes to the org's own My Domain, the account's \`base_url\`.`,
})
