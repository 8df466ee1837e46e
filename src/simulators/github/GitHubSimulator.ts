import { randomBytes } from "node:crypto"
import { Effect, Either, type Scope } from "effect"
import type { GitHubError } from "../../providers/github/GitHubAuditLogEvent.ts"
import { credentialsUnder, newSecret } from "../kit/authorization.ts"
import type { Reply } from "../kit/Reply.ts"
import { RateLimitHeaders, rateLimitWindow } from "../kit/rateLimitWindow.ts"
import { type RequestReceived, requestLog } from "../kit/requestLog.ts"
import { type SimulatorRequest, serveSimulator } from "../kit/serveSimulator.ts"
import { simulatorClock } from "../kit/simulatorClock.ts"
import type { ProviderSimulator, SimulatorOptions } from "../ProviderSimulator.ts"
import { auditEventGenerator, type MalformedEvent } from "./auditEvents.ts"
import { type StoredEvent, searchAuditLog } from "./auditLogSearch.ts"

// GitHub's organization audit log (`GET /orgs/{org}/audit-log`, Enterprise Cloud) over real HTTP on
// 127.0.0.1. Confirmed from GitHub's docs: `Authorization: Bearer` (or the older `token` scheme) with a
// classic PAT (`read:audit_log`) or a GitHub App installation token; `X-GitHub-Api-Version: 2022-11-28`;
// `{message, documentation_url, status}` error bodies; the 1,750-queries-an-hour audit-log quota reported in
// `x-ratelimit-limit/-remaining/-used/-reset/-resource` on every answer, exceeded as 403 or 429; secondary
// limits with `retry-after`; a single comma-separated `Link` header whose URLs name the organization by id.
// Chosen here (not documented): the quota's resource name `audit_log` (GitHub's /rate_limit lists it), the
// wording of an unsupported-version answer, and the primary-limit message.

export interface GitHubSimulatorOptions extends SimulatorOptions {
  /** Queries an hour; GitHub allows 1,750 on the audit-log endpoints. */
  readonly queriesPerHour?: number
  /** How far back the history reaches; a day unless given. */
  readonly historySpanMs?: number
  /** The status of a primary-limit refusal: GitHub documents "403 or 429". */
  readonly primaryLimitStatus?: 403 | 429
  readonly org?: string
}

interface GitHubNote {
  /** The `X-GitHub-Api-Version` the request asked for. */
  readonly apiVersion?: string | undefined
  /** The quota the answer reported, when the request was authenticated. */
  readonly rateLimit?: {
    readonly limit: number
    readonly remaining: number
    readonly used: number
    readonly reset: number
  }
  /** Events on the page, for a search answered 200. */
  readonly events?: number
}

export interface GitHubSimulatorHandle extends ProviderSimulator {
  readonly integration: "github"
  readonly credentials: { readonly access_token: string }
  readonly settings: { readonly organization_id: string }
  readonly org: string
  readonly orgId: number
  /** A GitHub App installation token the simulator also accepts. */
  readonly installationToken: string
  readonly requests: () => ReadonlyArray<RequestReceived<GitHubNote>>
  /** The next `count` requests exceed the primary quota (remaining 0) until `resetInMs` from now. */
  readonly forceRateLimited: (count: number, resetInMs?: number) => void
  /** The next `count` requests hit a secondary limit: 403 with `retry-after: retryAfterSeconds`. */
  readonly forceSecondaryRateLimited: (count: number, retryAfterSeconds?: number) => void
  /** Appends any raw event at its own time (now if it has none): GitHub's late backfill when that time is past. */
  readonly inject: (event: unknown) => void
  /** Appends a generated event with one documented guarantee broken; returns it. */
  readonly injectMalformed: (flaw: MalformedEvent) => unknown
}

const HOUR_MS = 3_600_000
const API_VERSIONS = ["2022-11-28"]
const DOCS =
  "https://docs.github.com/enterprise-cloud@latest/rest/orgs/orgs#get-the-audit-log-for-an-organization"
const RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"

const error = (
  status: number,
  message: string,
  documentationUrl = "https://docs.github.com/rest",
): GitHubError => ({
  message,
  documentation_url: documentationUrl,
  status: String(status),
})

const timeOf = (event: unknown): number | undefined => {
  const fields = (event ?? {}) as { readonly "@timestamp"?: unknown; readonly created_at?: unknown }
  const time = typeof fields["@timestamp"] === "number" ? fields["@timestamp"] : fields.created_at
  return typeof time === "number" ? time : undefined
}

export const startGitHubSimulator = (
  options: GitHubSimulatorOptions = {},
): Effect.Effect<GitHubSimulatorHandle, never, Scope.Scope> =>
  Effect.gen(function* () {
    const now = yield* simulatorClock
    const generator = auditEventGenerator(options.seed ?? 1, options.org)
    const { org, orgId } = generator
    const pat = `ghp_${newSecret(27)}`
    const installationToken = `ghs_${newSecret(27)}`
    const limit = options.queriesPerHour ?? 1_750
    const quota = rateLimitWindow({
      limit,
      windowMs: HOUR_MS,
      headers: RateLimitHeaders.xRateLimit,
      refusalBody: () => undefined,
    })
    let secondary = { count: 0, retryAfterSeconds: 60 }

    const store: Array<StoredEvent> = []
    const file = (event: unknown, at?: number) => {
      const seq = store.length + 1
      const id = (event as { readonly _document_id?: unknown } | null)?._document_id
      store.push({
        seq,
        at: at ?? timeOf(event) ?? now(),
        key: typeof id === "string" ? id : `~${String(seq).padStart(10, "0")}`,
        event,
      })
    }
    for (const generated of generator.history(
      options.historySize ?? 50,
      now(),
      options.historySpanMs ?? 24 * HOUR_MS,
    )) {
      file(generated.event, generated.at)
    }

    const organizationPath = `/organizations/${orgId}/audit-log`
    const requestId = () =>
      randomBytes(8)
        .toString("hex")
        .toUpperCase()
        .replace(/(.{4})(.{4})(.{4})(.{4})/, "$1:$2:$3:$4")

    const handle = (request: SimulatorRequest): Reply<GitHubNote> => {
      const { url, method, authorization, headers, receivedAt } = request
      const apiVersion =
        typeof headers["x-github-api-version"] === "string" ? headers["x-github-api-version"] : undefined
      const note = { apiVersion }
      const orgPath = /^\/orgs\/([^/]+)\/audit-log$/.exec(url.pathname)
      const isAuditLog =
        (orgPath && decodeURIComponent(orgPath[1] as string) === org) || url.pathname === organizationPath
      if (!isAuditLog || method !== "GET") return { status: 404, body: error(404, "Not Found", DOCS), note }
      if (apiVersion !== undefined && !API_VERSIONS.includes(apiVersion)) {
        return {
          status: 400,
          body: error(400, `Unsupported 'X-GitHub-Api-Version' header: '${apiVersion}'`),
          note,
        }
      }
      if (authorization.scheme === undefined)
        return { status: 401, body: error(401, "Requires authentication"), note }
      const token = credentialsUnder(authorization, "Bearer") ?? credentialsUnder(authorization, "token")
      if (token !== pat && token !== installationToken)
        return { status: 401, body: error(401, "Bad credentials"), note }

      const taken = quota.take(receivedAt)
      const rateLimit = {
        limit,
        remaining: taken.quota.remaining,
        used: Math.min(limit, limit - taken.quota.remaining),
        reset: taken.quota.resetAt / 1000,
      }
      const quotaHeaders = {
        "x-ratelimit-limit": String(rateLimit.limit),
        "x-ratelimit-remaining": String(rateLimit.remaining),
        "x-ratelimit-reset": String(rateLimit.reset),
        "x-ratelimit-used": String(rateLimit.used),
        "x-ratelimit-resource": "audit_log",
      }
      if (taken.refusal) {
        return {
          status: options.primaryLimitStatus ?? 403,
          body: error(
            options.primaryLimitStatus ?? 403,
            `API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID ${requestId()}.`,
            RATE_DOCS,
          ),
          headers: quotaHeaders,
          note: { ...note, rateLimit },
        }
      }
      if (secondary.count > 0) {
        secondary = { ...secondary, count: secondary.count - 1 }
        return {
          status: 403,
          body: error(
            403,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
            `${RATE_DOCS}#about-secondary-rate-limits`,
          ),
          headers: { ...quotaHeaders, "retry-after": String(secondary.retryAfterSeconds) },
          note: { ...note, rateLimit },
        }
      }

      const answer = searchAuditLog(store, url.searchParams, receivedAt)
      if (Either.isLeft(answer)) {
        return {
          status: answer.left.status,
          body: answer.left.body,
          headers: quotaHeaders,
          note: { ...note, rateLimit },
        }
      }
      const page = answer.right
      // GitHub writes every relation with both cursors, the unused one empty, on the id-based path.
      const link = (rel: string, after: string, before: string) => {
        const params = new URLSearchParams(url.searchParams)
        params.delete("after")
        params.delete("before")
        params.set("after", after)
        params.set("before", before)
        return `<${request.origin}${organizationPath}?${params}>; rel="${rel}"`
      }
      const links = [
        ...(page.after ? [link("next", page.after, "")] : []),
        link("first", "", ""),
        ...(page.before ? [link("prev", "", page.before)] : []),
      ]
      return {
        status: 200,
        body: page.events,
        headers: { ...quotaHeaders, Link: links.join(", ") },
        note: { ...note, rateLimit, events: page.events.length },
      }
    }

    const server = yield* serveSimulator<GitHubNote>({
      port: options.port,
      contentType: "application/json; charset=utf-8",
      everyResponse: () => ({
        "x-github-api-version-selected": "2022-11-28",
        "x-github-media-type": "github.v3; format=json",
        "x-github-request-id": requestId(),
      }),
      handle,
    })

    return {
      integration: "github",
      baseUrl: server.origin,
      credentials: { access_token: pat },
      settings: { organization_id: org },
      org,
      orgId,
      installationToken,
      emit: (count) => {
        for (const generated of generator.burst(count, now())) file(generated.event, generated.at)
      },
      events: () => store.map((stored) => stored.event),
      requests: requestLog(server),
      forceRateLimited: quota.forceLimited,
      forceSecondaryRateLimited: (count, retryAfterSeconds = 60) => {
        secondary = { count, retryAfterSeconds }
      },
      inject: (event) => file(event),
      injectMalformed: (flaw) => {
        const generated = generator.malformed(flaw, now())
        file(generated.event, generated.at)
        return generated.event
      },
    } satisfies GitHubSimulatorHandle
  })
