import { Effect } from "effect"
import { configuredTokenUrl, tokenGrants, tokenRequest } from "../../auth/grants.ts"
import { ZOOM_TOKEN_URL } from "./settings.ts"

/**
 * The Server-to-Server OAuth grant: the app's client id and secret as Basic, `grant_type=account_credentials`
 * and `account_id` in the form body, as Zoom's docs show (the query-string form of older docs has been
 * answered 400 lately). There is no refresh token: an expiring token is replaced by this grant again.
 */
export const zoomTokenGrant = tokenGrants({
  ClientCredentials: (account, credentials) =>
    Effect.succeed(
      tokenRequest(
        { url: configuredTokenUrl(account, ZOOM_TOKEN_URL), clientAuthentication: "basic" },
        { id: credentials.clientId, secret: credentials.clientSecret },
        {
          grant_type: "account_credentials",
          ...(credentials.accountId === undefined ? {} : { account_id: credentials.accountId }),
        },
      ),
    ),
})
