import { Clock, Context, Duration, Effect, FiberRef, Layer, Metric, Ref, Schedule } from "effect"
import { Agent, type Dispatcher, request } from "undici"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import {
  countProviderRequest,
  forAccount,
  providerRequestDuration,
  rateLimitWait,
  timed,
} from "../observability/metrics.ts"
import {
  ForeignHostRefused,
  isTransient,
  ProviderBadResponse,
  type ProviderError,
  ProviderRateLimited,
  ProviderRejected,
  ProviderTimeout,
  ProviderUnauthorized,
  ProviderUnavailable,
} from "./ProviderError.ts"
import {
  type DailyAllocation,
  isRateLimitAnswer,
  type RateLimitState,
  readDailyAllocation,
  readRateLimit,
  retryAfterMs,
} from "./rateLimitHeaders.ts"

export interface ProviderRequest {
  readonly account: IntegratedAccount
  /** Absolute URL; must be on `origin` (by default the account's configured origin). */
  readonly url: URL
  /**
   * The origin this request is pinned to; default: the account's `base_url` origin. Only for endpoints the
   * configuration names outright, such as an OAuth token URL (the provider's constant or the account's
   * `settings.token_url`): never derived from a provider's answer (next links, `api_url`, stored positions),
   * so those stay refused anywhere but the account's own origin.
   */
  readonly origin?: URL
  readonly method?: "GET" | "POST"
  /** Includes the Authorization header; never logged, never put in an error. */
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string
  /** Pulls the provider's error code and message out of an error body, for the error we return. */
  readonly describeError?: (body: unknown) => { code?: string; message?: string }
}

export interface ProviderResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>
  readonly body: unknown
}

export interface ProviderHttpOptions {
  /** Per-attempt timeout for one request (connect + headers + body). */
  readonly requestTimeout: Duration.DurationInput
  /** Transient failures (5xx, network, timeout) are retried this many times with jittered exponential backoff. */
  readonly maxRetries: number
  readonly retryBase: Duration.DurationInput
  /** A 429 or an exhausted quota is waited out when the provider's reset is at most this far away. */
  readonly maxRateLimitWait: Duration.DurationInput
  /**
   * Bytes of one response body read at most (`provider.max_response_bytes`). A larger body, declared or
   * streamed, is a bad response: not retried, since the same request would only bring it again.
   */
  readonly maxResponseBytes: number
  /**
   * The part of a provider's daily allocation (Salesforce's org-wide 24-hour API requests, HubSpot's daily
   * limit) the connector may use (`provider.daily_allocation_share`). Once an answer reports usage at or past
   * it, the account sends nothing for `dailyPause`; then one request reports the usage anew.
   */
  readonly dailyAllocationShare: number
  /** How long an account stays away once its share of the daily allocation is used. */
  readonly dailyPause: Duration.DurationInput
}

export const defaultProviderHttpOptions: ProviderHttpOptions = {
  requestTimeout: "30 seconds",
  maxRetries: 4,
  retryBase: "250 millis",
  maxRateLimitWait: "60 seconds",
  maxResponseBytes: 32 * 1024 * 1024,
  dailyAllocationShare: 0.8,
  // Neither provider says when room comes back (Salesforce's window rolls, HubSpot resets at a midnight of a
  // time zone the API does not give): an hour is one probe an hour while the share stays spent.
  dailyPause: "1 hour",
}

/**
 * All provider HTTP goes through here: one keep-alive connection pool, timeouts, retries with backoff,
 * rate limits honoured (a 429's Retry-After / reset is waited out; when the provider says nothing is left,
 * the next request of that account waits for the reset instead of being sent), and a request to any origin
 * other than the account's configured one (or the one a configured endpoint pins it to) is refused before it
 * is made.
 */
export class ProviderHttp extends Context.Tag("ProviderHttp")<
  ProviderHttp,
  { readonly send: (request: ProviderRequest) => Effect.Effect<ProviderResponse, ProviderError> }
>() {
  static readonly layer = (options: Partial<ProviderHttpOptions> = {}) =>
    Layer.scoped(ProviderHttp, makeProviderHttp({ ...defaultProviderHttpOptions, ...options }))
}

/**
 * Set (with `Effect.locally`) on requests made for the endpoint rather than the account's live stream. Such a
 * replay request never waits for a rate-limit reset, and is refused while the provider says no more than
 * `reserve` requests are left in the window: those are the stream's, so replay traffic cannot starve it.
 */
export const ReplayPriority = FiberRef.unsafeMake<{ readonly reserve: number } | undefined>(undefined)

const headerText = (value: string | ReadonlyArray<string> | undefined) =>
  Array.isArray(value) ? value.join(", ") : ((value as string | undefined) ?? "")

/** What was read of a response: its text, or how it went over the cap. */
type BodyRead =
  | { readonly _tag: "Read"; readonly text: string }
  | { readonly _tag: "OverCap"; readonly declared: number | undefined }

/** Drops an unfinished body and the connection under it; undici reports that as an abort, expected here. */
const discard = (body: Dispatcher.ResponseData["body"]) => {
  body.on("error", () => {})
  body.destroy()
}

/**
 * The body as text, reading no more than `maxBytes`. A declared length over the cap is refused before a byte
 * is read; otherwise bytes are counted as they arrive. Either way the body is destroyed, which closes the
 * connection instead of returning it to the pool with the rest of the body still coming.
 */
const readCapped = async (
  body: Dispatcher.ResponseData["body"],
  declaredLength: string,
  maxBytes: number,
): Promise<BodyRead> => {
  const declared = /^\d+$/.test(declaredLength) ? Number(declaredLength) : undefined
  if (declared !== undefined && declared > maxBytes) {
    discard(body)
    return { _tag: "OverCap", declared }
  }
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of body) {
    size += (chunk as Buffer).length
    if (size > maxBytes) {
      discard(body)
      return { _tag: "OverCap", declared: undefined }
    }
    chunks.push(chunk as Buffer)
  }
  // As undici's `text()`: UTF-8, a byte-order mark dropped.
  return { _tag: "Read", text: new TextDecoder().decode(Buffer.concat(chunks)) }
}

const makeProviderHttp = (options: ProviderHttpOptions) =>
  Effect.gen(function* () {
    const agent = yield* Effect.acquireRelease(
      Effect.sync(() => new Agent({ keepAliveTimeout: 30_000, connections: 16 })),
      (a) => Effect.promise(() => a.close()),
    )
    // Per account (not per host): the provider's quota belongs to the account's credentials. A request pinned
    // elsewhere (a token endpoint) is another service with its own quota, so it is kept apart.
    const quotas = yield* Ref.make(new Map<string, RateLimitState>())
    const quotaKey = (req: ProviderRequest) =>
      req.origin === undefined ? req.account.id : `${req.account.id} ${req.origin.origin}`
    // Per quota key: the daily allocation last reported, and until when the account stays away because its
    // share of it is spent.
    const daily = yield* Ref.make(
      new Map<string, { readonly reported: DailyAllocation; readonly until: number }>(),
    )
    const dailyPauseMs = Duration.toMillis(options.dailyPause)
    const timeoutMs = Duration.toMillis(options.requestTimeout)
    const maxWaitMs = Duration.toMillis(options.maxRateLimitWait)

    // Requests of an account sent and not yet answered (its streams are read concurrently): an answer's
    // `remaining` does not count them, so they are taken off it when it is stored.
    const inFlight = yield* Ref.make(new Map<string, number>())
    const changeInFlight = (key: string, by: number) =>
      Ref.modify(inFlight, (m) => {
        const count = Math.max(0, (m.get(key) ?? 0) + by)
        return [count, new Map(m).set(key, count)] as const
      })

    const waitForQuota = (req: ProviderRequest) =>
      Effect.gen(function* () {
        const account = req.account
        const key = quotaKey(req)
        const spent = (yield* Ref.get(daily)).get(key)
        const start = yield* Clock.currentTimeMillis
        if (spent !== undefined && spent.until > start) {
          const { used, allocation } = spent.reported
          return yield* new ProviderRateLimited({
            integration: account.integration,
            retryAfterMs: spent.until - start,
            message: `${account.integration} daily API allocation: ${used} of ${allocation} used, at or past the connector's share (provider.daily_allocation_share ${options.dailyAllocationShare}); next request in ${Math.ceil((spent.until - start) / 60_000)} min`,
          })
        }
        for (;;) {
          const replay = yield* FiberRef.get(ReplayPriority)
          const now = yield* Clock.currentTimeMillis
          const known = (yield* Ref.get(quotas)).get(key)
          // A window already reset says nothing about the next one.
          const windowOpen = known?.resetAt === undefined || known.resetAt > now
          if (replay && known?.remaining !== undefined && known.remaining <= replay.reserve && windowOpen) {
            const wait = Math.max(0, (known.resetAt ?? now + 1_000) - now)
            return yield* new ProviderRateLimited({
              integration: account.integration,
              retryAfterMs: wait,
              message: `${account.integration} rate limit: the ${known.remaining} requests left in this window are kept for the account's live stream; resets in ${Math.ceil(wait / 1000)}s`,
            })
          }
          // A request sent counts against the quota last reported until an answer reports anew.
          const quota = yield* Ref.modify(quotas, (m) => {
            const current = m.get(key)
            if (current?.remaining === undefined || current.remaining <= 0) return [current, m] as const
            return [current, new Map(m).set(key, { ...current, remaining: current.remaining - 1 })] as const
          })
          if (quota?.remaining === undefined || quota.remaining > 0 || quota.resetAt === undefined) return
          const wait = quota.resetAt - now
          if (wait <= 0) return
          if (wait > maxWaitMs) {
            return yield* new ProviderRateLimited({
              integration: account.integration,
              retryAfterMs: wait,
              message: `${account.integration} rate limit exhausted; resets in ${Math.ceil(wait / 1000)}s`,
            })
          }
          yield* Effect.logDebug("waiting for provider rate-limit reset").pipe(
            Effect.annotateLogs({ account: account.id, wait_ms: wait }),
          )
          yield* Metric.incrementBy(forAccount(rateLimitWait, account), wait / 1000)
          yield* Effect.sleep(Duration.millis(wait))
          // Whoever woke first may have spent the new window already: look again. Once a reset has passed with
          // no answer since, the waiters all go: a window must allow as many requests as are sent at once (an
          // account's streams; HubSpot allows 100 or more per window).
          const after = (yield* Ref.get(quotas)).get(key)
          if (after === quota) {
            // Nobody was answered meanwhile: the reset has passed, so this request opens the new window.
            yield* Ref.update(quotas, (m) => {
              const next = new Map(m)
              next.delete(key)
              return next
            })
            return
          }
        }
      })

    const attempt = (req: ProviderRequest): Effect.Effect<ProviderResponse, ProviderError> =>
      Effect.gen(function* () {
        const integration = req.account.integration
        yield* waitForQuota(req)
        const response = yield* Effect.tryPromise({
          try: async (signal) => {
            const res = await request(req.url, {
              method: req.method ?? "GET",
              headers: req.headers,
              ...(req.body === undefined ? {} : { body: req.body }),
              dispatcher: agent,
              signal,
              headersTimeout: timeoutMs,
              bodyTimeout: timeoutMs,
            } as Parameters<typeof request>[1])
            const read = await readCapped(
              res.body,
              headerText(res.headers["content-length"]),
              options.maxResponseBytes,
            )
            return { status: res.statusCode, headers: res.headers, read }
          },
          catch: (cause) =>
            new ProviderUnavailable({
              integration,
              message: `${integration} unreachable: ${(cause as Error).message ?? String(cause)}`,
            }),
        }).pipe(
          Effect.timeoutFail({
            duration: Duration.millis(timeoutMs),
            onTimeout: () =>
              new ProviderTimeout({
                integration,
                timeoutMs,
                message: `${integration} did not answer within ${timeoutMs}ms`,
              }),
          }),
          timed(forAccount(providerRequestDuration, req.account)),
          Effect.tapBoth({
            onFailure: () => countProviderRequest(req.account, "error"),
            onSuccess: ({ status }) => countProviderRequest(req.account, String(status)),
          }),
          (sent) => Effect.zipRight(changeInFlight(quotaKey(req), 1), sent),
          Effect.ensuring(changeInFlight(quotaKey(req), -1)),
        )
        const now = yield* Clock.currentTimeMillis
        const reported = readRateLimit(response.headers, now)
        if (reported.remaining !== undefined || reported.resetAt !== undefined) {
          const others = (yield* Ref.get(inFlight)).get(quotaKey(req)) ?? 0
          const quota =
            reported.remaining === undefined
              ? reported
              : { ...reported, remaining: Math.max(0, reported.remaining - others) }
          yield* Ref.update(quotas, (m) => new Map(m).set(quotaKey(req), quota))
        }
        const reportedDaily = readDailyAllocation(response.headers)
        if (reportedDaily !== undefined) {
          const spentShare = reportedDaily.used >= reportedDaily.allocation * options.dailyAllocationShare
          yield* Ref.update(daily, (m) =>
            new Map(m).set(quotaKey(req), {
              reported: reportedDaily,
              until: spentShare ? now + dailyPauseMs : 0,
            }),
          )
          if (spentShare)
            yield* Effect.logWarning("provider daily API allocation share spent; pausing the account").pipe(
              Effect.annotateLogs({
                account: req.account.id,
                used: reportedDaily.used,
                allocation: reportedDaily.allocation,
                pause_ms: dailyPauseMs,
              }),
            )
        }
        if (response.read._tag === "OverCap") {
          const declared = response.read.declared
          return yield* new ProviderBadResponse({
            integration,
            message:
              declared === undefined
                ? `${integration} answered more than ${options.maxResponseBytes} bytes, the cap (provider.max_response_bytes); the rest was not read`
                : `${integration} announced a ${declared}-byte answer, over the ${options.maxResponseBytes}-byte cap (provider.max_response_bytes); none of it was read`,
          })
        }
        const text = response.read.text
        let body: unknown
        try {
          body = text === "" ? undefined : JSON.parse(text)
        } catch {
          body = undefined
          if (response.status >= 200 && response.status < 300) {
            return yield* new ProviderBadResponse({
              integration,
              // The content type tells a login wall or a gateway's error page (HTML) from a cut-off JSON body.
              message: `${integration} answered with non-JSON content (content-type ${headerText(response.headers["content-type"]) || "not given"}, ${text.length} characters)`,
            })
          }
        }
        const status = response.status
        if (status >= 200 && status < 300) return { status, headers: response.headers, body }
        const described = req.describeError?.(body) ?? {}
        const detail = described.message ?? (headerText(response.headers["content-type"]) || "no detail")
        const what = `${integration} answered ${status}${described.code ? ` ${described.code}` : ""}: ${detail}`
        // A 403 is a rate limit too where its headers say so (GitHub); otherwise it is a refusal below.
        if (isRateLimitAnswer(status, response.headers, now)) {
          const wait = retryAfterMs(response.headers, now) ?? 1_000
          // Remembered as a spent window, so no request of the account (stream or endpoint) goes before it.
          yield* Ref.update(quotas, (m) =>
            new Map(m).set(quotaKey(req), { remaining: 0, resetAt: now + wait }),
          )
          return yield* new ProviderRateLimited({ integration, retryAfterMs: wait, message: what })
        }
        if (status === 401 || status === 403)
          return yield* new ProviderUnauthorized({ integration, status, message: what })
        if (status >= 500) return yield* new ProviderUnavailable({ integration, status, message: what })
        return yield* new ProviderRejected({
          integration,
          status,
          ...(described.code ? { code: described.code } : {}),
          message: what,
        })
      })

    // Backoff for transient failures; a 429 waits exactly as long as the provider asks (if that is bounded).
    const retryPolicy = Schedule.exponential(options.retryBase, 2).pipe(
      Schedule.jittered,
      Schedule.intersect(Schedule.identity<ProviderError>()),
      Schedule.modifyDelay(([, error], delay) =>
        error._tag === "ProviderRateLimited" ? Duration.millis(error.retryAfterMs) : delay,
      ),
      Schedule.whileOutput(
        ([, error]) =>
          isTransient(error) && (error._tag !== "ProviderRateLimited" || error.retryAfterMs <= maxWaitMs),
      ),
      Schedule.intersect(Schedule.recurs(options.maxRetries)),
    )

    const send = (req: ProviderRequest): Effect.Effect<ProviderResponse, ProviderError> => {
      const pinned = req.origin ?? req.account.baseUrl
      if (req.url.origin !== pinned.origin) {
        return Effect.fail(
          new ForeignHostRefused({
            integration: req.account.integration,
            host: req.url.host,
            message:
              req.origin === undefined
                ? `refused to call ${req.url.host}: account ${req.account.id} is configured for ${pinned.host}`
                : `refused to call ${req.url.host}: this request of account ${req.account.id} is pinned to ${pinned.host}`,
          }),
        )
      }
      return attempt(req).pipe(
        Effect.retry(retryPolicy),
        Effect.withSpan("ProviderHttp.send", { attributes: { integration: req.account.integration } }),
      )
    }
    return { send }
  })
