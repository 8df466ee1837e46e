import type { Effect, Scope } from "effect"
import type { FilterName } from "../../../src/domain/ActivityFilters.ts"
import type { Integration } from "../../../src/providers/registry.ts"
import { startAsanaSimulator } from "../../../src/simulators/asana/AsanaSimulator.ts"
import { startAtlassianSimulator } from "../../../src/simulators/atlassian/AtlassianSimulator.ts"
import { startBrowserStackSimulator } from "../../../src/simulators/browserstack/BrowserStackSimulator.ts"
import { startConfluenceSimulator } from "../../../src/simulators/confluence/ConfluenceSimulator.ts"
import { startDropboxSimulator } from "../../../src/simulators/dropbox/DropboxSimulator.ts"
import { startFigmaSimulator } from "../../../src/simulators/figma/FigmaSimulator.ts"
import { startGitHubSimulator } from "../../../src/simulators/github/GitHubSimulator.ts"
import { startHubSpotSimulator } from "../../../src/simulators/hubspot/HubSpotSimulator.ts"
import { startJiraSimulator } from "../../../src/simulators/jira/JiraSimulator.ts"
import { startOktaSimulator } from "../../../src/simulators/okta/OktaSimulator.ts"
import type { ProviderSimulator } from "../../../src/simulators/ProviderSimulator.ts"
import { startSalesforceSimulator } from "../../../src/simulators/salesforce/SalesforceSimulator.ts"
import { startZendeskSimulator } from "../../../src/simulators/zendesk/ZendeskSimulator.ts"
import { startZoomSimulator } from "../../../src/simulators/zoom/ZoomSimulator.ts"

/**
 * What the conformance suite must know of one provider's simulator to drive it: how to start it, a credential
 * it refuses and what its refusal says, how to file a malformed record, how to force a 429 and (where the
 * provider has one) how to refuse a stored cursor. Everything else comes from the production registry.
 */
/** A simulator as the suite drives it: it also logs every request it answered, with the status it gave. */
export type DrivenSimulator = ProviderSimulator & {
  readonly requests: () => ReadonlyArray<{ readonly status?: number }>
}

export interface ConformanceProfile<S extends DrivenSimulator = DrivenSimulator> {
  /** The simulator with `historySize` events, its own request budget lifted (the 429 test forces one). */
  readonly start: (historySize: number) => Effect.Effect<S, never, Scope.Scope>
  /** Credentials of the account's form that the simulator refuses with 401. */
  readonly refused: (sim: S) => Record<string, string>
  /** Words of the provider's own 401 body, which the error must carry (its `describeError` read them). */
  readonly refusalSays: string
  /** Files one record that cannot be mapped, timestamped `now`; returns it as served. */
  readonly malformed: (sim: S, now: number) => unknown
  /**
   * Has the next request answered 429, in the provider's own headers; returns the wait those headers ask
   * (`waitMs` where the provider lets the simulator choose it).
   */
  readonly rateLimit?: (sim: S, waitMs: number) => number
  /**
   * For an adapter that restarts a refused continuation (a stream whose paging has `restart`): makes every
   * cursor the provider has handed out so far refused from now on.
   */
  readonly refuseCursors?: (sim: S) => void
  /** Spec filters the adapter answers otherwise than the spec says, and why: their test is expected to fail. */
  readonly deviations?: Partial<Record<FilterName, string>>
}

// The one cast of the table: each entry is checked against its own simulator's type here, then stored as the
// common interface the suite reads.
const profile = <S extends DrivenSimulator>(p: ConformanceProfile<S>) =>
  p as unknown as ConformanceProfile<DrivenSimulator>

const SEED = 11

/** Keyed by the registry's names: a 14th integration without a profile does not typecheck. */
export const profiles: { readonly [I in Integration]: ConformanceProfile } = {
  asana: profile({
    start: (historySize) => startAsanaSimulator({ seed: SEED, historySize, requestsPerMinute: 100_000 }),
    refused: () => ({ access_token: "2/1/2:not-the-token" }),
    refusalSays: "Not Authorized",
    malformed: (sim) => sim.injectMalformed("missing-gid"),
    rateLimit: (sim, waitMs) => {
      sim.forceRateLimited(1, waitMs)
      return waitMs
    },
    refuseCursors: (sim) => sim.expireOffsets(),
  }),
  atlassian: profile({
    // Its 429 carries no Retry-After (not documented for this API): the wait is read from X-RateLimit-Reset.
    start: (historySize) => startAtlassianSimulator({ seed: SEED, historySize, retryAfter: false }),
    refused: () => ({ access_token: "revoked-org-api-key" }),
    refusalSays: "Unauthorized",
    malformed: (sim) => sim.injectMalformed("missing-id"),
    rateLimit: (sim, waitMs) => {
      sim.forceRateLimited(1, waitMs)
      return waitMs
    },
    refuseCursors: (sim) => sim.expireCursors(),
  }),
  browserstack: profile({
    start: (historySize) =>
      startBrowserStackSimulator({ seed: SEED, historySize, burst: 10_000, requestsPerMinute: 100_000 }),
    refused: (sim) => ({ username: sim.credentials.username ?? "", access_key: "no" }),
    refusalSays: "Unauthorized",
    malformed: (sim, now) => sim.injectMalformed("text-timestamp", now),
    rateLimit: (sim, waitMs) => {
      sim.forceRateLimited(1, waitMs)
      return waitMs
    },
  }),
  confluence: profile({
    start: (historySize) => startConfluenceSimulator({ seed: SEED, historySize, requestsPerMinute: 100_000 }),
    refused: (sim) => ({ email: sim.credentials.email ?? "", api_token: "revoked" }),
    refusalSays: "Client must be authenticated",
    malformed: (sim, now) => sim.injectMalformed("text-creation-date", now),
    rateLimit: (sim, waitMs) => {
      sim.forceRateLimited(1, waitMs)
      return waitMs
    },
  }),
  dropbox: profile({
    start: (historySize) => startDropboxSimulator({ seed: SEED, historySize, requestsPerMinute: 100_000 }),
    refused: () => ({ access_token: "sl.wrong" }),
    refusalSays: "invalid_access_token",
    malformed: (sim) => sim.injectMalformed("bad_timestamp"),
    rateLimit: (sim, waitMs) => {
      sim.forceRateLimited(1, waitMs)
      return waitMs
    },
    refuseCursors: (sim) => sim.resetCursors(),
  }),
  figma: profile({
    start: (historySize) => startFigmaSimulator({ seed: SEED, historySize, requestsPerMinute: 100_000 }),
    refused: () => ({ access_token: "not-a-figma-token" }),
    refusalSays: "Invalid token",
    malformed: (sim) => sim.injectMalformed("missing-id"),
    rateLimit: (sim, waitMs) => {
      sim.forceRateLimited(1, waitMs)
      return waitMs
    },
    refuseCursors: (sim) => sim.expireCursors(),
  }),
  github: profile({
    start: (historySize) => startGitHubSimulator({ seed: SEED, historySize }),
    refused: () => ({ access_token: "ghp_not-issued" }),
    refusalSays: "Bad credentials",
    malformed: (sim) => sim.injectMalformed("missing-action"),
    rateLimit: (sim, waitMs) => {
      sim.forceRateLimited(1, waitMs)
      return waitMs
    },
  }),
  hubspot: profile({
    start: (historySize) => startHubSpotSimulator({ seed: SEED, historySize }),
    refused: () => ({ access_token: "pat-na1-revoked" }),
    refusalSays: "INVALID_AUTHENTICATION",
    malformed: (sim) => sim.injectMalformed("missing-id"),
    // HubSpot's 429 names no reset: it is its ten-second rolling window.
    rateLimit: (sim) => {
      sim.forceRateLimited(1)
      return 10_000
    },
  }),
  jira: profile({
    start: (historySize) => startJiraSimulator({ seed: SEED, historySize, requestsPerMinute: 100_000 }),
    refused: (sim) => ({ email: sim.credentials.email ?? "", api_token: "revoked" }),
    refusalSays: "You are not authenticated",
    malformed: (sim, now) => sim.injectMalformed("zoneless-created", now),
    rateLimit: (sim, waitMs) => {
      sim.forceRateLimited(1, waitMs)
      return waitMs
    },
  }),
  okta: profile({
    start: (historySize) => startOktaSimulator({ seed: SEED, historySize }),
    refused: () => ({ api_token: "revoked-ssws-token" }),
    refusalSays: "E0000011: Invalid token provided",
    malformed: (sim) => sim.injectMalformed("missing-uuid"),
    rateLimit: (sim, waitMs) => {
      sim.forceRateLimited(1, waitMs)
      return waitMs
    },
  }),
  salesforce: profile({
    start: (historySize) => startSalesforceSimulator({ seed: SEED, historySize }),
    refused: () => ({ access_token: "00Dxx!revoked" }),
    refusalSays: "INVALID_SESSION_ID: Session expired or invalid",
    malformed: (sim) => sim.injectMalformed("LoginHistory", "bad-time"),
  }),
  zendesk: profile({
    start: (historySize) => startZendeskSimulator({ seed: SEED, historySize, requestsPerMinute: 100_000 }),
    refused: (sim) => ({ email: sim.credentials.email ?? "", api_token: "wrong" }),
    refusalSays: "Couldn't authenticate you",
    malformed: (sim) => sim.injectMalformed("missing-id"),
    rateLimit: (sim, waitMs) => {
      sim.forceRateLimited(1, waitMs)
      return waitMs
    },
  }),
  zoom: profile({
    start: (historySize) => startZoomSimulator({ seed: SEED, historySize, requestsPerSecond: 10_000 }),
    refused: () => ({ access_token: "not-a-zoom-token" }),
    refusalSays: "124: Invalid access token",
    malformed: (sim) => sim.injectMalformed("activities", "bad-time"),
    // Zoom's per-second 429 names no reset: a second is its window.
    rateLimit: (sim) => {
      sim.forceRateLimited(1, "per-second")
      return 1_000
    },
  }),
}
