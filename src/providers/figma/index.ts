import { pendingAdapter } from "../pendingAdapter.ts"
import { FigmaCredentials } from "./credentials.ts"
import { FigmaSettings } from "./settings.ts"
import { figmaTokenGrant } from "./tokenGrant.ts"

/** Figma Activity Logs API (`GET /v1/activity_logs`), Enterprise organizations only. */
export const figma = pendingAdapter({
  integration: "figma",
  capabilities: {
    filters: ["created_at", "action"],
    requiredFilters: [],
    actions: ["login", "logout", "user_created", "user_deleted"],
  },
  defaultBaseUrl: "https://api.figma.com",
  credentials: FigmaCredentials,
  tokenGrant: figmaTokenGrant,
  settings: FigmaSettings,
})
