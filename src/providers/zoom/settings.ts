import { Schema } from "effect"
import { HttpUrl } from "../../domain/HttpUrl.ts"

/** Where Server-to-Server OAuth apps get their tokens, unless the account's `settings.token_url` says otherwise. */
export const ZOOM_TOKEN_URL = "https://zoom.us/oauth/token"

export const ZoomSettings = Schema.Struct({
  token_url: Schema.optional(HttpUrl),
}).annotations({
  identifier: "ZoomSettings",
  description: `\`token_url\`: the Server-to-Server OAuth token endpoint, default ${ZOOM_TOKEN_URL}; the token request (and only it) may go to that origin.`,
})
export type ZoomSettings = typeof ZoomSettings.Type
