import { Clock, Context, Duration, Effect, Layer, Schedule } from "effect"
import { DailyAllocation } from "./DailyAllocation.ts"
import { requirePinnedOrigin } from "./hostPinning.ts"
import { isTransient, type ProviderError } from "./ProviderError.ts"
import { defaultProviderHttpOptions, type ProviderHttpOptions } from "./ProviderHttpOptions.ts"
import type { ProviderRequest, ProviderResponse } from "./ProviderRequest.ts"
import { ProviderTransport, undiciClientLayer } from "./ProviderTransport.ts"
import { classifyAnswer } from "./providerAnswer.ts"
import { QuotaTracker } from "./QuotaTracker.ts"
import { ResponseBodyCap } from "./ResponseBodyCap.ts"

export { defaultProviderHttpOptions, type ProviderHttpOptions } from "./ProviderHttpOptions.ts"
export type { ProviderRequest, ProviderResponse } from "./ProviderRequest.ts"
export { ReplayPriority } from "./QuotaTracker.ts"

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
  static readonly layer = (options: Partial<ProviderHttpOptions> = {}) => {
    const o = { ...defaultProviderHttpOptions, ...options }
    // Each ProviderHttp keeps its own pool, quotas and pauses: the parts are provided, not merged out.
    return Layer.effect(ProviderHttp, makeProviderHttp(o)).pipe(
      Layer.provide(
        Layer.mergeAll(
          QuotaTracker.Default(o.maxRateLimitWait),
          DailyAllocation.Default({ share: o.dailyAllocationShare, pause: o.dailyPause }),
          ProviderTransport.Default(o.requestTimeout).pipe(
            Layer.provide(undiciClientLayer),
            Layer.provideMerge(ResponseBodyCap.Default(o.maxResponseBytes)),
          ),
        ),
      ),
    )
  }
}

/** Backoff for transient failures; a 429 waits exactly as long as the provider asks (if that is bounded). */
const retryPolicy = (options: ProviderHttpOptions) => {
  const maxWaitMs = Duration.toMillis(options.maxRateLimitWait)
  return Schedule.exponential(options.retryBase, 2).pipe(
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
}

const makeProviderHttp = (options: ProviderHttpOptions) =>
  Effect.gen(function* () {
    const quota = yield* QuotaTracker
    const daily = yield* DailyAllocation
    const transport = yield* ProviderTransport
    const cap = yield* ResponseBodyCap

    // One attempt, a straight line: admitted by the quotas, sent, its quotas taken in, its answer read.
    const attempt = (req: ProviderRequest): Effect.Effect<ProviderResponse, ProviderError> =>
      Effect.gen(function* () {
        yield* daily.check(req)
        yield* quota.admit(req)
        const exchange = yield* quota.inFlightWhile(req, transport.exchange(req))
        const now = yield* Clock.currentTimeMillis
        yield* quota.record(req, exchange.headers, now)
        yield* daily.record(req, exchange.headers, now)
        if (exchange.read._tag === "OverCap")
          return yield* cap.overCap(req.account.integration, exchange.read.declared)
        const answer = { status: exchange.status, headers: exchange.headers, text: exchange.read.text }
        return yield* classifyAnswer(req, answer, now).pipe(
          // Remembered as a spent window, so no request of the account (stream or endpoint) goes before it.
          Effect.tapError((error) =>
            error._tag === "ProviderRateLimited" ? quota.spend(req, now, error.retryAfterMs) : Effect.void,
          ),
        )
      })

    const schedule = retryPolicy(options)
    const send = (req: ProviderRequest): Effect.Effect<ProviderResponse, ProviderError> =>
      requirePinnedOrigin(req).pipe(
        Effect.zipRight(Effect.retry(attempt(req), schedule)),
        Effect.withSpan("ProviderHttp.send", { attributes: { integration: req.account.integration } }),
      )
    return { send }
  })
