import { privateKeyJwtGrant, tokenGrants } from "../../auth/grants.ts"

/**
 * An OAuth service app's client-credentials grant at the org authorization server of the account's own
 * domain, with scope `okta.logs.read`. Okta takes only `private_key_jwt` client authentication for tokens
 * with Okta API scopes.
 */
export const oktaTokenGrant = tokenGrants({
  PrivateKeyJwt: (account, credentials) =>
    privateKeyJwtGrant(credentials, {
      url: new URL("/oauth2/v1/token", account.baseUrl.origin),
      scope: "okta.logs.read",
    }),
})
