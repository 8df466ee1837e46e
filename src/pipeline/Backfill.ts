import { Data, Effect, Either, Schema } from "effect"
import { Config } from "../config/loadConfig.ts"
import { CursorCodec } from "../cursor/CursorCodec.ts"
import type { ActivityFilters } from "../domain/ActivityFilters.ts"
import { ProviderHttp } from "../http/ProviderHttp.ts"
import { fetchPageChecked } from "../providers/fetchPageChecked.ts"
import { adapterFor } from "../providers/registry.ts"
import { ActivitySink } from "./ActivitySink.ts"
import { type PublishStart, publishStart } from "./retentionProblems.ts"
import { routePage } from "./routePage.ts"
import { ensureTopics } from "./Topics.ts"

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
    const adapter = adapterFor(account.integration)
    const codec = yield* CursorCodec

    const organization = account.settings.organization_id
    let filters: ActivityFilters = organization === undefined ? {} : { organization_id: organization }
    let position: unknown
    let from: PublishStart
    if ("cursor" in start) {
      const opened = codec.open(start.cursor, account.id)
      if (Either.isLeft(opened)) return yield* new BackfillInvalid({ message: opened.left.message })
      filters = opened.right.filters
      // The cursor's position lies after the listing's created_at filter, if it had one; else anywhere in
      // the provider's history.
      from = publishStart(account, filters.created_at ?? "earliest", "backfill --cursor")
      position = yield* Schema.decodeUnknown(adapter.position)(opened.right.position).pipe(
        Effect.mapError(
          (e) => new BackfillInvalid({ message: `next_cursor position does not decode: ${e.message}` }),
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
      `${config.kafka.transactional_id_prefix}.backfill.${account.id}`,
    )
    const http = yield* ProviderHttp
    let published = 0
    let deadLettered = 0
    for (;;) {
      const page = yield* fetchPageChecked(adapter, {
        account,
        filters,
        position,
        limit: config.poll.page_size,
      }).pipe(Effect.provideService(ProviderHttp, http))
      const routed = routePage(account, page.records, config.kafka)
      if (routed.messages.length > 0) yield* publisher.publish(routed.messages, undefined)
      published += routed.published
      deadLettered += routed.deadLettered
      position = page.next
      yield* Effect.logInfo("backfill page published").pipe(
        Effect.annotateLogs({ published, dead_lettered: deadLettered }),
      )
      if (!page.hasMore) break
    }
    return { published, deadLettered }
  }).pipe(Effect.scoped)
