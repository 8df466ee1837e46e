import { Duration } from "effect"
import type { ProviderAdapter } from "../ProviderAdapter.ts"
import { BrowserStackCredentials } from "./credentials.ts"
import { auditLogs, BROWSERSTACK_RETENTION } from "./streams/auditLogs.ts"

/**
 * The Enterprise APIs allow a burst of 5 requests, then 15 a minute (one every 4 s). A poll spends one request
 * per 100 entries of its window; at one poll every 15 s, a window of up to three pages stays under 15 a minute
 * with the burst to spare. Larger windows (a backfill) are paced by BrowserStack's 429s, waited out.
 */
export const BROWSERSTACK_MIN_POLL_INTERVAL = Duration.seconds(15)

/**
 * BrowserStack Enterprise audit logs (`GET /audit/v1/logs`, assumed; see auditLogs.ts for every assumption).
 * The spec gives BrowserStack no filters, so every filter is refused before BrowserStack is called.
 */
export const browserstack = {
  integration: "browserstack",
  capabilities: { filters: [], requiredFilters: [] },
  historyRetention: BROWSERSTACK_RETENTION,
  minPollInterval: BROWSERSTACK_MIN_POLL_INTERVAL,
  defaultBaseUrl: "https://api.browserstack.com",
  credentials: BrowserStackCredentials,
  streams: [auditLogs],
} as const satisfies ProviderAdapter
