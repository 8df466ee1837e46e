import { Duration } from "effect"
import type { ProviderAdapter } from "../ProviderAdapter.ts"
import { ZoomCredentials } from "./credentials.ts"
import { ZoomSettings } from "./settings.ts"
import { activities } from "./streams/activities.ts"
import { operationLogs } from "./streams/operationLogs.ts"
import { zoomTokenGrant } from "./tokenGrant.ts"

/** Zoom's sign-in/sign-out report (`GET /v2/report/activities`) and operation logs (`/v2/report/operationlogs`). */
export const zoom = {
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
  historyRetention: Duration.days(180),
  streams: [activities, operationLogs],
} as const satisfies ProviderAdapter
