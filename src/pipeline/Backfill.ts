import { Data, Effect, Either } from "effect"
import { Config } from "../config/Config.ts"
import { CursorCodec } from "../cursor/CursorCodec.ts"
import type { ActivityFilters } from "../domain/ActivityFilters.ts"
import { adapterOf } from "../providers/adapterOf.ts"
import type { ProviderServices } from "../providers/ProviderAdapter.ts"
import {
  decodePositions,
  pageAccount,
  positionsFrom,
  type StreamPositions,
} from "../providers/pageAccount.ts"
import { ActivitySink } from "./ActivitySink.ts"
import { ensureTopics } from "./KafkaAdmin.ts"
import { backfillTransactionalIdFor } from "./kafkaNames.ts"
import { type PublishStart, publishStart } from "./retentionProblems.ts"
import { routeRecords } from "./routePage.ts"

export class BackfillInvalid extends Data.TaggedError("BackfillInvalid")<{ readonly message: string }> {}

export type BackfillStart = { readonly cursor: string } | { readonly since: string }

/**
 * Re-publishes an account's history into the activity topics from a `next_cursor` the endpoint returned, or
 * from an instant, until caught up. Its own transactional id keeps each page atomic and leaves the live
 * stream's producer and checkpoint alone: no checkpoint is written.
 */
export const runBackfill = (accountId: string, start: BackfillStart) =>
  Effect.gen(function* () {
    const { config, accounts } = yield* Config
    const entry = accounts.find(({ account }) => account.id === accountId.toLowerCase())
    if (!entry)
      return yield* new BackfillInvalid({ message: `no integrated account ${accountId} is configured` })
    const { account } = entry
    const adapter = yield* adapterOf(account)
    const codec = yield* CursorCodec

    const organization = account.settings.organization_id
    let filters: ActivityFilters = organization === undefined ? {} : { organization_id: organization }
    let positions: StreamPositions = {}
    let from: PublishStart
    if ("cursor" in start) {
      const opened = codec.open(start.cursor, account.id)
      if (Either.isLeft(opened)) return yield* new BackfillInvalid({ message: opened.left.message })
      filters = opened.right.filters
      // The cursor's position lies after the listing's created_at filter, if it had one; else anywhere in
      // the provider's history.
      from = publishStart(account, filters.created_at ?? "earliest", "backfill --cursor")
      positions = yield* decodePositions(adapter, positionsFrom(adapter, opened.right.position)).pipe(
        Either.mapLeft(
          (problem) => new BackfillInvalid({ message: `next_cursor position does not decode: ${problem}` }),
        ),
      )
    } else {
      const since = new Date(start.since)
      if (Number.isNaN(since.getTime()))
        return yield* new BackfillInvalid({ message: `--since ${start.since} is not an ISO-8601 instant` })
      filters = { ...filters, created_at: since.toISOString() }
      from = publishStart(account, since.toISOString(), `backfill --since ${start.since}`)
    }

    yield* ensureTopics(config.kafka, [from])
    const sink = yield* ActivitySink
    const publisher = yield* sink.publisherFor(
      account,
      backfillTransactionalIdFor(config.kafka.transactional_id_prefix, account),
    )
    const providerClients = yield* Effect.context<ProviderServices>()
    let published = 0
    let deadLettered = 0
    for (;;) {
      const page = yield* pageAccount(adapter, {
        account,
        filters,
        positions,
        limit: config.poll.page_size,
      }).pipe(Effect.provide(providerClients))
      const routed = routeRecords(account, page.records, config.kafka)
      if (routed.messages.length > 0) yield* publisher.publish(routed.messages, undefined)
      published += routed.published
      deadLettered += routed.deadLettered
      positions = page.positions
      yield* Effect.logInfo("backfill page published").pipe(
        Effect.annotateLogs({ published, dead_lettered: deadLettered }),
      )
      if (!page.hasMore) break
    }
    return { published, deadLettered }
  }).pipe(Effect.scoped)
