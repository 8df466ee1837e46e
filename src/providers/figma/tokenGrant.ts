import { configuredTokenUrl, refreshTokenGrant, tokenGrants } from "../../auth/grants.ts"
import { FIGMA_TOKEN_URL } from "./settings.ts"

/**
 * The refresh-token grant with the client id and secret as Basic (which RFC 6749 §2.3.1 obliges a server to
 * accept, and which Figma clients in the wild send). Unconfirmed: the provider note names only the endpoint.
 */
export const figmaTokenGrant = tokenGrants({
  OAuthRefresh: (account, credentials) =>
    refreshTokenGrant(credentials, {
      url: configuredTokenUrl(account, FIGMA_TOKEN_URL),
      clientAuthentication: "basic",
    }),
})
