import { pendingAdapter } from "../pendingAdapter.ts"
import { DropboxCredentials } from "./credentials.ts"
import { DropboxSettings } from "./settings.ts"
import { dropboxTokenGrant } from "./tokenGrant.ts"

/** Dropbox Business team log (`POST /2/team_log/get_events` and `/continue`). */
export const dropbox = pendingAdapter({
  integration: "dropbox",
  capabilities: {
    filters: ["created_at", "actor_id", "action"],
    requiredFilters: [],
    actions: ["login", "login_failed", "logout"],
  },
  defaultBaseUrl: "https://api.dropboxapi.com",
  credentials: DropboxCredentials,
  tokenGrant: dropboxTokenGrant,
  settings: DropboxSettings,
})
