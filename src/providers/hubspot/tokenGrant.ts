import { configuredTokenUrl, refreshTokenGrant, tokenGrants } from "../../auth/grants.ts"
import { HUBSPOT_TOKEN_URL } from "./settings.ts"

/** The refresh-token grant with the client id and secret as form fields, as HubSpot documents it. */
export const hubspotTokenGrant = tokenGrants({
  OAuthRefresh: (account, credentials) =>
    refreshTokenGrant(credentials, {
      url: configuredTokenUrl(account, HUBSPOT_TOKEN_URL),
      clientAuthentication: "body",
    }),
})
