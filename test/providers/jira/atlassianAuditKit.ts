import { Duration, Either, Schema } from "effect"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import type { ProviderAdapter } from "../../../src/providers/ProviderAdapter.ts"
import type { AnyPaginator } from "../../../src/providers/paging/Paginator.ts"

// What the Jira and Confluence tests share: both are one newest-first audit stream of one Atlassian site.

/** Every record's Activity, oldest first (records of one millisecond keep no particular order). */
export const expectedActivities = (
  adapter: ProviderAdapter,
  account: IntegratedAccount,
  records: ReadonlyArray<unknown>,
) => {
  const [stream] = adapter.streams
  if (stream === undefined) throw new Error(`${adapter.integration} has no stream`)
  return records
    .map((raw) => Either.getOrThrow(Schema.decodeUnknownEither(stream.record)(raw)))
    .map((record) => Either.getOrThrow(stream.toActivity(record, account)))
    .sort((a, b) => Date.parse(a.created_at) - Date.parse(b.created_at))
}

export const sortedIds = (activities: ReadonlyArray<{ id: string }>) => activities.map((a) => a.id).sort()

export const inTimeOrder = (activities: ReadonlyArray<{ created_at: string }>) =>
  activities.every(
    (a, i) => i === 0 || Date.parse(activities[i - 1]?.created_at ?? "") <= Date.parse(a.created_at),
  )

/**
 * The adapter with its one stream's settle window shortened (for tests that cannot wait the real one) and,
 * where given, smaller provider pages (so a handful of records spans several pages).
 */
export const variant = (
  adapter: ProviderAdapter,
  options: { readonly settleMs?: number; readonly paging?: AnyPaginator },
): ProviderAdapter => ({
  ...adapter,
  streams: adapter.streams.map((stream) => ({
    ...stream,
    ...(options.settleMs === undefined
      ? {}
      : { tail: { mode: "watermark" as const, settle: Duration.millis(options.settleMs) } }),
    ...(options.paging === undefined ? {} : { paging: options.paging }),
  })),
})
