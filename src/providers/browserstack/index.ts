import { pendingAdapter } from "../pendingAdapter.ts"
import { BrowserStackCredentials } from "./credentials.ts"

/** BrowserStack Enterprise Audit Logs API (`/audit/v1/...`); the spec gives BrowserStack no filters. */
export const browserstack = pendingAdapter({
  integration: "browserstack",
  capabilities: {
    filters: [],
    requiredFilters: [],
  },
  defaultBaseUrl: "https://api.browserstack.com",
  credentials: BrowserStackCredentials,
})
