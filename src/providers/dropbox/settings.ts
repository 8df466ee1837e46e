import { TokenUrlSettings } from "../../auth/grants.ts"

/** Where refresh tokens are exchanged, unless the account's `settings.token_url` says otherwise. */
export const DROPBOX_TOKEN_URL = "https://api.dropbox.com/oauth2/token"

export const DropboxSettings = TokenUrlSettings("DropboxSettings", DROPBOX_TOKEN_URL)
