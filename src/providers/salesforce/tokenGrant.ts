import { clientCredentialsGrant, jwtBearerGrant, refreshTokenGrant, tokenGrants } from "../../auth/grants.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import { SALESFORCE_LOGIN_URL } from "./settings.ts"

const TOKEN_PATH = "/services/oauth2/token"

const loginUrl = (account: IntegratedAccount) => new URL(account.settings.login_url ?? SALESFORCE_LOGIN_URL)

/**
 * Salesforce's three grants. The token answer's `instance_url` is not followed: the account's `base_url` is
 * its instance, and a host from an answer would unpin the account's requests.
 */
export const salesforceTokenGrant = tokenGrants({
  OAuthRefresh: (account, credentials) =>
    refreshTokenGrant(credentials, {
      url: new URL(TOKEN_PATH, loginUrl(account)),
      clientAuthentication: "body",
    }),
  JwtBearer: (account, credentials) =>
    jwtBearerGrant(credentials, {
      url: new URL(TOKEN_PATH, loginUrl(account)),
      audience: loginUrl(account).origin,
    }),
  // Only the org's My Domain issues client-credentials tokens; login.salesforce.com refuses the grant.
  ClientCredentials: (account, credentials) =>
    clientCredentialsGrant(credentials, {
      url: new URL(TOKEN_PATH, account.baseUrl.origin),
      clientAuthentication: "body",
    }),
})
