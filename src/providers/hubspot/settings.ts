import { TokenUrlSettings } from "../../auth/grants.ts"

/** Where refresh tokens are exchanged, unless the account's `settings.token_url` says otherwise. */
export const HUBSPOT_TOKEN_URL = "https://api.hubapi.com/oauth/v1/token"

export const HubSpotSettings = TokenUrlSettings("HubSpotSettings", HUBSPOT_TOKEN_URL)
