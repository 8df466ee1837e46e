import { randomUUID } from "node:crypto"
import { type Authorization, basicCredentials, credentialsUnder, newSecret } from "../kit/authorization.ts"
import type { Reply } from "../kit/Reply.ts"
import {
  FORCED_RESET_MS,
  RateLimitHeaders,
  type RateLimitWindow,
  rateLimitWindow,
} from "../kit/rateLimitWindow.ts"

// What Jira and Confluence Cloud share as REST APIs of one Atlassian site: who may call (an account's email and
// API token as Basic, or an OAuth access token as Bearer) and Atlassian Cloud's rate-limit signals: a 429 with
// `Retry-After` (seconds), `X-RateLimit-Limit`/`-Remaining`, `X-RateLimit-Reset` as an ISO 8601 date-time and
// `RateLimit-Reason`. Atlassian publishes no number for these endpoints; the simulator's budget is its own.

/** The site's admin account the simulator knows, in the config's credential forms. */
export interface SiteCredentials {
  readonly email: string
  readonly api_token: string
  readonly accessToken: string
}

export const siteCredentials = (): SiteCredentials => ({
  email: "siem-export@acme.example",
  api_token: `ATATT3x${newSecret(36)}`,
  accessToken: `eyJ${newSecret(48)}`,
})

/** Whether the header carries the site's Basic email:token or its OAuth Bearer token. */
export const isSiteAdmin = (authorization: Authorization, credentials: SiteCredentials): boolean => {
  const basic = basicCredentials(authorization)
  if (basic !== undefined)
    return basic.userId === credentials.email && basic.password === credentials.api_token
  return credentialsUnder(authorization, "Bearer") === credentials.accessToken
}

export interface SiteRateLimit {
  /** Counts one request; a refusal is the 429 to send instead of the answer. */
  readonly take: (now: number) => { readonly headers: Record<string, string>; readonly refusal?: Reply }
  /** The next `count` requests get a 429 whose reset is `resetInMs` ahead (rounded up to a second). */
  readonly forceLimited: (count: number, resetInMs?: number) => void
}

export const siteRateLimit = (options: {
  readonly requestsPerMinute: number
  /** The 429's body; Atlassian does not document it (Jira commonly answers an ErrorCollection). */
  readonly refusalBody: () => unknown
}): SiteRateLimit => {
  // The kit's fixed window counts; the headers are written here, the reset as Atlassian writes it.
  const window: RateLimitWindow = rateLimitWindow({
    limit: options.requestsPerMinute,
    windowMs: 60_000,
    headers: RateLimitHeaders.xRateLimit,
    refusalBody: options.refusalBody,
  })
  let forced = { count: 0, resetInMs: 0 }
  return {
    take: (now) => {
      const verdict = window.take(now)
      let { remaining, resetAt } = verdict.quota
      let refused = verdict.refusal !== undefined
      if (forced.count > 0) {
        forced = { ...forced, count: forced.count - 1 }
        remaining = 0
        resetAt = Math.ceil((now + forced.resetInMs) / 1000) * 1000
        refused = true
      }
      const headers = {
        "X-RateLimit-Limit": String(verdict.quota.limit),
        "X-RateLimit-Remaining": String(remaining),
        "X-RateLimit-Reset": new Date(resetAt).toISOString(),
      }
      if (!refused) return { headers }
      return {
        headers,
        refusal: {
          status: 429,
          body: options.refusalBody(),
          headers: {
            ...headers,
            "Retry-After": String(Math.max(1, Math.ceil((resetAt - now) / 1000))),
            "RateLimit-Reason": "jira-burst-based",
          },
        },
      }
    },
    forceLimited: (count, resetInMs = FORCED_RESET_MS) => {
      forced = { count, resetInMs }
    },
  }
}

/** Atlassian's request id, on every answer. */
export const everyResponse = () => ({ "X-Arequestid": randomUUID() })
