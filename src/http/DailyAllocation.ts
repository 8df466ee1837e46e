import { Clock, Duration, Effect, Ref } from "effect"
import { ProviderRateLimited } from "./ProviderError.ts"
import { type ProviderRequest, quotaKey, type ResponseHeaders } from "./ProviderRequest.ts"
import { type DailyAllocation as Reported, readDailyAllocation } from "./rateLimitHeaders.ts"

export interface DailyAllocationOptions {
  /** `provider.daily_allocation_share`: the part of the provider's daily allocation the connector may use. */
  readonly share: number
  /** How long an account stays away once its share is spent; then one request reports the usage anew. */
  readonly pause: Duration.DurationInput
}

/**
 * The daily allocation a provider reports (Salesforce's org-wide 24 hours, HubSpot's daily limit), per quota
 * key: once an answer reports usage at or past the connector's share, the key's requests are refused for the
 * pause rather than sent.
 */
export class DailyAllocation extends Effect.Service<DailyAllocation>()("DailyAllocation", {
  effect: (options: DailyAllocationOptions) =>
    Effect.gen(function* () {
      const pauseMs = Duration.toMillis(options.pause)
      // Per quota key: the allocation last reported, and until when the key stays away.
      const spent = yield* Ref.make(
        new Map<string, { readonly reported: Reported; readonly until: number }>(),
      )

      /** Fails while the request's key is paused. */
      const check = (req: ProviderRequest) =>
        Effect.gen(function* () {
          const paused = (yield* Ref.get(spent)).get(quotaKey(req))
          const now = yield* Clock.currentTimeMillis
          if (paused === undefined || paused.until <= now) return
          const { used, allocation } = paused.reported
          const integration = req.account.integration
          return yield* new ProviderRateLimited({
            integration,
            retryAfterMs: paused.until - now,
            message: `${integration} daily API allocation: ${used} of ${allocation} used, at or past the connector's share (provider.daily_allocation_share ${options.share}); next request in ${Math.ceil((paused.until - now) / 60_000)} min`,
          })
        })

      /** Takes in what an answer reports; a spent share starts the pause. */
      const record = (req: ProviderRequest, headers: ResponseHeaders, now: number) =>
        Effect.gen(function* () {
          const reported = readDailyAllocation(headers)
          if (reported === undefined) return
          const spentShare = reported.used >= reported.allocation * options.share
          yield* Ref.update(spent, (m) =>
            new Map(m).set(quotaKey(req), { reported, until: spentShare ? now + pauseMs : 0 }),
          )
          if (spentShare)
            yield* Effect.logWarning("provider daily API allocation share spent; pausing the account").pipe(
              Effect.annotateLogs({
                account: req.account.id,
                used: reported.used,
                allocation: reported.allocation,
                pause_ms: pauseMs,
              }),
            )
        })

      return { check, record } as const
    }),
}) {}
