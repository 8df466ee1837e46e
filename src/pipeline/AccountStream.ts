import { Duration, Effect, Ref, Schedule, Schema } from "effect"
import type { AccountConfig, ConnectorConfig } from "../config/ConnectorConfig.ts"
import { durationMs } from "../config/ConnectorConfig.ts"
import type { ActivityFilters } from "../domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { ProviderError } from "../http/ProviderError.ts"
import { ProviderHttp } from "../http/ProviderHttp.ts"
import { fetchPageChecked } from "../providers/fetchPageChecked.ts"
import { adapterFor } from "../providers/registry.ts"
import type { AccountPublisher } from "./AccountPublisher.ts"
import type { Checkpoint } from "./Checkpoint.ts"
import { readCheckpoints } from "./CheckpointStore.ts"
import type { KafkaFailure } from "./KafkaClient.ts"
import { routePage } from "./routePage.ts"
import { type AccountStreamHealth, initialHealth, StreamHealth } from "./StreamHealth.ts"

export interface AccountStreamSettings {
  readonly kafka: ConnectorConfig["kafka"]
  readonly poll: ConnectorConfig["poll"]
  /** Backoff after a failure, growing to `maxBackoff`; the stream never gives up on its own. */
  readonly minBackoff?: Duration.DurationInput
  readonly maxBackoff?: Duration.DurationInput
}

/** The filters a new stream starts with: the account's organisation and where `start_from` says. */
export const startFilters = (
  account: IntegratedAccount,
  config: AccountConfig,
  now: Date,
): ActivityFilters => {
  const organization = account.settings.organization_id
  const base: ActivityFilters = organization === undefined ? {} : { organization_id: organization }
  if (config.start_from === "earliest") return base
  const from = config.start_from === "now" ? now : new Date(config.start_from)
  return { ...base, created_at: from.toISOString() }
}

const freshCheckpoint = (account: IntegratedAccount, filters: ActivityFilters): Checkpoint => ({
  version: 1,
  integrated_account_id: account.id,
  integration: account.integration,
  filters,
  position: undefined,
  updated_at: new Date().toISOString(),
  published_total: 0,
  dead_lettered_total: 0,
  gaps: [],
})

/**
 * Tails one integrated account forever: page from the provider through the shared paging function, map,
 * route, and publish the page together with the checkpoint after it in one transaction. When caught up it
 * waits the poll interval (with jitter) and asks again from the checkpointed position, which only yields
 * newer activity. A failure (provider or Kafka) is retried with backoff from the last committed checkpoint,
 * so nothing is skipped and nothing published twice.
 */
export const runAccountStream = (
  account: IntegratedAccount,
  config: AccountConfig,
  resumeFrom: Checkpoint | undefined,
  publisher: AccountPublisher,
  settings: AccountStreamSettings,
) =>
  Effect.gen(function* () {
    const adapter = adapterFor(account.integration)
    const health = yield* StreamHealth
    const http = yield* ProviderHttp
    const intervalMs = durationMs(config.poll_interval ?? settings.poll.interval)
    const committed = yield* Ref.make<Checkpoint>(
      resumeFrom ?? freshCheckpoint(account, startFilters(account, config, new Date())),
    )
    const setHealth = (patch: Partial<AccountStreamHealth>) =>
      health.update(account.id, (current) => ({ ...(current ?? initialHealth(account)), ...patch }))
    yield* setHealth({ state: "starting" })
    // After a failed publish the transaction's outcome is unknown (the commit may have landed and only its
    // answer got lost): the stream then resumes from the checkpoint Kafka holds, not from memory.
    const inDoubt = yield* Ref.make(false)
    const resyncFromKafka = Effect.gen(function* () {
      yield* publisher.ready
      const stored = (yield* readCheckpoints(settings.kafka.topics, settings.kafka.client_id)).get(account.id)
      if (stored) yield* Ref.set(committed, stored)
      yield* Ref.set(inDoubt, false)
      yield* Effect.logInfo("resynchronised with the checkpoint in Kafka")
    })
    yield* Effect.logInfo(resumeFrom ? "resuming from checkpoint" : "starting new stream")

    const decodePosition = (checkpoint: Checkpoint) =>
      checkpoint.position === undefined
        ? Effect.succeed(undefined)
        : Schema.decodeUnknown(adapter.position)(checkpoint.position).pipe(
            Effect.orDieWith(
              (e) =>
                new Error(`checkpoint position does not decode for ${account.integration}: ${e.message}`),
            ),
          )

    /** One page: fetch, map, publish + checkpoint. Returns whether the provider has more right now. */
    const step = Effect.gen(function* () {
      if (yield* Ref.get(inDoubt)) yield* resyncFromKafka
      const checkpoint = yield* Ref.get(committed)
      const position = yield* decodePosition(checkpoint)
      const page = yield* fetchPageChecked(adapter, {
        account,
        filters: checkpoint.filters,
        position,
        limit: settings.poll.page_size,
      }).pipe(Effect.provideService(ProviderHttp, http))
      const { messages, published, deadLettered } = routePage(account, page.records, settings.kafka)
      const next: Checkpoint = {
        ...checkpoint,
        position: page.next,
        updated_at: new Date().toISOString(),
        published_total: checkpoint.published_total + published,
        dead_lettered_total: checkpoint.dead_lettered_total + deadLettered,
      }
      const moved = JSON.stringify(page.next) !== JSON.stringify(checkpoint.position)
      if (messages.length > 0 || moved) {
        yield* publisher.publish(messages, next).pipe(Effect.tapError(() => Ref.set(inDoubt, true)))
        yield* Ref.set(committed, next)
      }
      if (deadLettered > 0)
        yield* Effect.logWarning("records dead-lettered").pipe(Effect.annotateLogs({ count: deadLettered }))
      yield* setHealth({
        state: page.hasMore ? "streaming" : "caught_up",
        last_page_at: new Date().toISOString(),
        consecutive_failures: 0,
        published_total: next.published_total,
        dead_lettered_total: next.dead_lettered_total,
        gaps_total: next.gaps.length,
      })
      return page.hasMore
    }).pipe(
      // The provider no longer keeps history this old: restart from the earliest it has, and say so.
      Effect.catchTag("ProviderHistoryExpired", (expired) =>
        Effect.gen(function* () {
          const checkpoint = yield* Ref.get(committed)
          const { created_at: _, ...withoutStart } = checkpoint.filters
          const gap = { detected_at: new Date().toISOString(), reason: expired.message }
          const restarted: Checkpoint = {
            ...checkpoint,
            filters: withoutStart,
            position: undefined,
            gaps: [...checkpoint.gaps, gap],
          }
          yield* publisher.publish([], restarted).pipe(Effect.tapError(() => Ref.set(inDoubt, true)))
          yield* Ref.set(committed, restarted)
          yield* Effect.logError(
            "history gap: checkpoint older than the provider's retention; resuming from the earliest available",
          ).pipe(Effect.annotateLogs({ reason: expired.message, gaps_total: restarted.gaps.length }))
          yield* setHealth({ gaps_total: restarted.gaps.length })
          return true
        }),
      ),
    )

    const pollDelay = () => {
      const jitter = settings.poll.jitter * (2 * Math.random() - 1)
      return Duration.millis(Math.max(0, Math.round(intervalMs * (1 + jitter))))
    }

    const backoff = Schedule.exponential(settings.minBackoff ?? "1 second", 2).pipe(
      Schedule.jittered,
      Schedule.union(Schedule.spaced(settings.maxBackoff ?? "5 minutes")),
      // The schedule sees every failure, final ones too: only those that will be retried count as retrying.
      Schedule.tapInput((error: ProviderError | KafkaFailure) =>
        Effect.gen(function* () {
          if (isFinal(error)) return
          yield* health.update(account.id, (current) => {
            const base = current ?? initialHealth(account)
            return {
              ...base,
              state: "retrying",
              last_error: error.message,
              consecutive_failures: base.consecutive_failures + 1,
            }
          })
          yield* Effect.logWarning("account stream failed; retrying from the last checkpoint").pipe(
            Effect.annotateLogs({ error: error.message }),
          )
        }),
      ),
    )

    const loop = step.pipe(
      Effect.flatMap((hasMore) => (hasMore ? Effect.void : Effect.sleep(pollDelay()))),
      Effect.forever,
    )
    return yield* loop.pipe(Effect.retry({ schedule: backoff, while: (e) => !isFinal(e) }))
  }).pipe(
    Effect.annotateLogs({ integrated_account_id: account.id, integration: account.integration }),
    Effect.withLogSpan("account"),
  )

/**
 * Failures that no retry can mend: another instance fenced this stream's producer (it owns the account
 * now), or the integration's provider client does not exist yet.
 */
const isFinal = (error: ProviderError | KafkaFailure) =>
  (error._tag === "KafkaFailure" && error.fenced) || error._tag === "ProviderNotImplemented"
