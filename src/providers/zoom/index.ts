import { pendingAdapter } from "../pendingAdapter.ts"
import { ZoomCredentials } from "./credentials.ts"
import { ZoomSettings } from "./settings.ts"
import { zoomTokenGrant } from "./tokenGrant.ts"

/** Zoom sign-in/sign-out activity report (`GET /v2/report/activities`) and operation logs (`/v2/report/operationlogs`). */
export const zoom = pendingAdapter({
  integration: "zoom",
  capabilities: {
    filters: ["created_at", "action"],
    requiredFilters: [],
    actions: ["login"],
  },
  defaultBaseUrl: "https://api.zoom.us",
  credentials: ZoomCredentials,
  tokenGrant: zoomTokenGrant,
  settings: ZoomSettings,
})
