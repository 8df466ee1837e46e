import { Duration } from "effect"
import type { ProviderAdapter } from "../ProviderAdapter.ts"
import { ZoomCredentials } from "./credentials.ts"
import { operationLogs, signInActivities } from "./reports.ts"
import { ZoomSettings } from "./settings.ts"
import { withZoomAuthorization } from "./ZoomAuthorization.ts"

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
  settings: ZoomSettings,
  historyRetention: Duration.days(180),
  authorize: withZoomAuthorization,
  streams: [signInActivities, operationLogs],
} as const satisfies ProviderAdapter
