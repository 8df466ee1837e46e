import { Duration, Effect, Either } from "effect"
import type { ActivityFilters } from "../../src/domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import type { ProviderError } from "../../src/http/ProviderError.ts"
import type { Watermark } from "../../src/providers/ActivityStream.ts"
import type { RejectedRecord } from "../../src/providers/mapRecord.ts"
import type { ProviderAdapter } from "../../src/providers/ProviderAdapter.ts"
import { readStreamPage } from "../../src/providers/readStream.ts"
import { ProviderClientsTest } from "./providerClients.ts"

export interface PollOptions {
  /** The stream's settle window for this poll; 0 (read up to now) unless given. */
  readonly settleMs?: number
  /** Records per provider page, whatever the read's limit: how a test sees paging the defaults would hide. */
  readonly pageSize?: number
  /** Records per read; large by default, so one read follows the provider's pages to the end. */
  readonly limit?: number
}

export interface Poll {
  /** Records that mapped, in the order production emits them, each once across polls. */
  readonly published: ReadonlyArray<unknown>
  /** Records that did not map, handed on (to be dead-lettered) once. */
  readonly rejected: ReadonlyArray<{ readonly raw: unknown; readonly rejected: RejectedRecord }>
  readonly position: Watermark
}

/**
 * One poll of a watermark stream as production runs it: `readStreamPage` from `from` until caught up, with the
 * production provider clients. Only the settle window and the page size differ from the adapter's.
 */
export const pollStream = (
  adapter: ProviderAdapter,
  streamName: string,
  account: IntegratedAccount,
  filters: ActivityFilters,
  from: Watermark | undefined,
  options: PollOptions = {},
): Effect.Effect<Poll, ProviderError> =>
  Effect.gen(function* () {
    const original = adapter.streams.find((s) => s.name === streamName)
    if (original === undefined) throw new Error(`${adapter.integration} has no stream ${streamName}`)
    const { pageSize } = options
    const stream = {
      ...original,
      tail: { mode: "watermark" as const, settle: Duration.millis(options.settleMs ?? 0) },
      paging:
        pageSize === undefined
          ? original.paging
          : {
              ...original.paging,
              first: (query: Parameters<typeof original.paging.first>[0]) =>
                original.paging.first({ ...query, limit: pageSize }),
              next: (continuation: unknown, query: Parameters<typeof original.paging.first>[0]) =>
                original.paging.next(continuation, { ...query, limit: pageSize }),
            },
    }
    const published: Array<unknown> = []
    const rejected: Array<{ raw: unknown; rejected: RejectedRecord }> = []
    let position = from
    for (let reads = 0; ; reads++) {
      if (reads >= 500) throw new Error(`${streamName} did not catch up within 500 reads`)
      const page = yield* readStreamPage(adapter, stream, {
        account,
        filters,
        position,
        limit: options.limit ?? 10_000,
      })
      page.records.forEach((raw, i) => {
        const mapped = page.mapped[i]
        if (mapped === undefined) throw new Error("a record without its mapping")
        if (Either.isRight(mapped)) published.push(raw)
        else rejected.push({ raw, rejected: mapped.left })
      })
      position = page.next as Watermark
      if (!page.hasMore) break
    }
    return { published, rejected, position: position as Watermark }
  }).pipe(Effect.provide(ProviderClientsTest))
