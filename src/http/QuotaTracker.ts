import { Clock, Duration, Effect, FiberRef, HashMap, Metric, Option, Ref } from "effect"
import { forAccount, rateLimitWait } from "../observability/metrics.ts"
import { ProviderRateLimited } from "./ProviderError.ts"
import { type ProviderRequest, quotaKey, type ResponseHeaders } from "./ProviderRequest.ts"
import { type RateLimitState, readRateLimit } from "./rateLimitHeaders.ts"

/**
 * Set (with `Effect.locally`) on requests made for the endpoint rather than the account's live stream. Such a
 * replay request never waits for a rate-limit reset, and is refused while the provider says no more than
 * `reserve` requests are left in the window: those are the stream's, so replay traffic cannot starve it.
 */
export const ReplayPriority = FiberRef.unsafeMake<{ readonly reserve: number } | undefined>(undefined)

const limited = (req: ProviderRequest, wait: number, message: string) =>
  new ProviderRateLimited({ integration: req.account.integration, retryAfterMs: wait, message })

/** A replay request is refused while what is left of the window is the live stream's reserve. */
const replayRefusal = (
  req: ProviderRequest,
  replay: { readonly reserve: number } | undefined,
  quota: RateLimitState | undefined,
  now: number,
): ProviderRateLimited | undefined => {
  // A window already reset says nothing about the next one.
  const windowOpen = quota?.resetAt === undefined || quota.resetAt > now
  if (!replay || quota?.remaining === undefined || quota.remaining > replay.reserve || !windowOpen) return
  const wait = Math.max(0, (quota.resetAt ?? now + 1_000) - now)
  return limited(
    req,
    wait,
    `${req.account.integration} rate limit: the ${quota.remaining} requests left in this window are kept for the account's live stream; resets in ${Math.ceil(wait / 1000)}s`,
  )
}

/**
 * Requests of a key sent and not yet answered (an account's streams are read concurrently): an answer's
 * `remaining` does not count them, so they are taken off it when it is stored.
 */
const makeInFlightCounts = Effect.map(Ref.make(HashMap.empty<string, number>()), (counts) => {
  const change = (key: string, by: number) =>
    Ref.update(counts, (m) =>
      HashMap.set(m, key, Math.max(0, Option.getOrElse(HashMap.get(m, key), () => 0) + by)),
    )
  return {
    /** Runs `sending` counted as in flight for `key`. */
    during: <A, E, R>(key: string, sending: Effect.Effect<A, E, R>) =>
      Effect.zipRight(change(key, 1), sending).pipe(Effect.ensuring(change(key, -1))),
    of: (key: string) => Effect.map(Ref.get(counts), (m) => Option.getOrElse(HashMap.get(m, key), () => 0)),
  }
})

/**
 * The provider's short rate-limit window per quota key, as its answers report it: a request waits for the
 * reset instead of being sent when nothing is left (or fails when the reset is further than
 * `maxRateLimitWait`), and requests in flight together count against what was last reported.
 */
export class QuotaTracker extends Effect.Service<QuotaTracker>()("QuotaTracker", {
  effect: (maxRateLimitWait: Duration.DurationInput) =>
    Effect.gen(function* () {
      const maxWaitMs = Duration.toMillis(maxRateLimitWait)
      const quotas = yield* Ref.make(HashMap.empty<string, RateLimitState>())
      const inFlight = yield* makeInFlightCounts
      const known = (key: string) =>
        Effect.map(Ref.get(quotas), (m) => Option.getOrUndefined(HashMap.get(m, key)))

      const checkReplayReserve = (req: ProviderRequest, now: number) =>
        Effect.gen(function* () {
          const refused = replayRefusal(
            req,
            yield* FiberRef.get(ReplayPriority),
            yield* known(quotaKey(req)),
            now,
          )
          if (refused) return yield* refused
        })

      /** A request sent counts against the quota last reported until an answer reports anew. */
      const takeOne = (key: string) =>
        Ref.modify(quotas, (m) => {
          const current = Option.getOrUndefined(HashMap.get(m, key))
          if (current?.remaining === undefined || current.remaining <= 0) return [current, m] as const
          return [current, HashMap.set(m, key, { ...current, remaining: current.remaining - 1 })] as const
        })

      /** Waits, if need be, until the request may be sent. */
      const admit = (req: ProviderRequest): Effect.Effect<void, ProviderRateLimited> =>
        Effect.gen(function* () {
          const key = quotaKey(req)
          for (;;) {
            const now = yield* Clock.currentTimeMillis
            yield* checkReplayReserve(req, now)
            const quota = yield* takeOne(key)
            if (quota?.remaining === undefined || quota.remaining > 0 || quota.resetAt === undefined) return
            const wait = quota.resetAt - now
            if (wait <= 0) return
            if (wait > maxWaitMs)
              return yield* limited(
                req,
                wait,
                `${req.account.integration} rate limit exhausted; resets in ${Math.ceil(wait / 1000)}s`,
              )
            yield* Effect.logDebug("waiting for provider rate-limit reset").pipe(
              Effect.annotateLogs({ account: req.account.id, wait_ms: wait }),
            )
            yield* Metric.incrementBy(forAccount(rateLimitWait, req.account), wait / 1000)
            yield* Effect.sleep(Duration.millis(wait))
            // Whoever woke first may have spent the new window already: look again. Once a reset has passed
            // with no answer since, the waiters all go: a window must allow as many requests as are sent at
            // once (an account's streams; HubSpot allows 100 or more per window).
            if ((yield* known(key)) === quota) {
              // Nobody was answered meanwhile: the reset has passed, so this request opens the new window.
              yield* Ref.update(quotas, HashMap.remove(key))
              return
            }
          }
        })

      /** Runs `sending` counted as in flight for the request's key. */
      const inFlightWhile = <A, E, R>(req: ProviderRequest, sending: Effect.Effect<A, E, R>) =>
        inFlight.during(quotaKey(req), sending)

      /** Takes in the window an answer reports, less the requests still in flight beside it. */
      const record = (req: ProviderRequest, headers: ResponseHeaders, now: number) =>
        Effect.gen(function* () {
          const reported = readRateLimit(headers, now)
          if (reported.remaining === undefined && reported.resetAt === undefined) return
          const key = quotaKey(req)
          const others = yield* inFlight.of(key)
          const quota =
            reported.remaining === undefined
              ? reported
              : { ...reported, remaining: Math.max(0, reported.remaining - others) }
          yield* Ref.update(quotas, HashMap.set(key, quota))
        })

      /** A rate-limit answer: the window is spent until `now + wait`, so no request of the key goes before. */
      const spend = (req: ProviderRequest, now: number, wait: number) =>
        Ref.update(
          quotas,
          HashMap.set(quotaKey(req), { remaining: 0, resetAt: now + wait } as RateLimitState),
        )

      return { admit, inFlightWhile, record, spend } as const
    }),
}) {}
