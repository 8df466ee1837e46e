import { configuredTokenUrl, refreshTokenGrant, tokenGrants } from "../../auth/grants.ts"
import { DROPBOX_TOKEN_URL } from "./settings.ts"

/** The refresh-token grant, the app key and secret as form fields (Dropbox accepts them there or as Basic). */
export const dropboxTokenGrant = tokenGrants({
  OAuthRefresh: (account, credentials) =>
    refreshTokenGrant(credentials, {
      url: configuredTokenUrl(account, DROPBOX_TOKEN_URL),
      clientAuthentication: "body",
    }),
})
