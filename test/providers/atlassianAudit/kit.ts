import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Either, Schema, type Scope, TestClock } from "effect"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import type { ProviderAdapter } from "../../../src/providers/ProviderAdapter.ts"
import type { AnyPaginator } from "../../../src/providers/paging/Paginator.ts"
import type { RequestReceived } from "../../../src/simulators/kit/requestLog.ts"
import type { ProviderSimulator } from "../../../src/simulators/ProviderSimulator.ts"
import { ProviderClientsTest } from "../../support/providerClients.ts"
import { accountOn, readAccountToEnd } from "../../support/readAccountToEnd.ts"

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

/** What the shared tests need of a Jira or Confluence simulator: both serve one newest-first audit list. */
export interface AtlassianAuditSimulator extends ProviderSimulator {
  /** An OAuth 2.0 (3LO) access token it accepts as Bearer. */
  readonly accessToken: string
  readonly requests: () => ReadonlyArray<RequestReceived<{ readonly records?: number }>>
  readonly inject: (records: ReadonlyArray<unknown>, at: number) => void
  readonly emitAt: (count: number, at: number) => ReadonlyArray<Record<string, unknown>>
  readonly afterNextPage: (effect: () => void) => void
}

/** How one Atlassian product's audit stream differs from the other's; everything else is tested once. */
export interface AtlassianAuditProduct {
  readonly adapter: ProviderAdapter
  readonly start: (historySize: number) => Effect.Effect<AtlassianAuditSimulator, never, Scope.Scope>
  readonly path: string
  readonly paging: (limit: number) => AnyPaginator
  /** The query parameter that carries `created_at`, and how the instant is written in it. */
  readonly from: { readonly param: string; readonly written: (iso: string) => string }
  /** The query parameter that closes the read's window, and the form its instant takes. */
  readonly until: { readonly param: string; readonly form: RegExp }
  /** A "User created" record at `at` (epoch ms) as the product writes it, told apart by `tag`. */
  readonly userCreated: (tag: number, at: number) => Record<string, unknown>
  /** The Activity ids of raw records. */
  readonly idsOf: (records: ReadonlyArray<unknown>) => ReadonlyArray<string>
}

/**
 * The behaviours Jira and Confluence share, run through each product's simulator over real HTTP: the time
 * filter pushed down, the tail after catching up, records arriving between two pages of one read, and the two
 * credential forms.
 */
export const describeAtlassianAuditStream = (product: AtlassianAuditProduct) => {
  const { adapter, path } = product
  const name = adapter.integration
  const idsOf = (records: ReadonlyArray<unknown>) => [...product.idsOf(records)].sort()

  describe(`${name} audit records through the simulator, over real HTTP (shared with the other Atlassian product)`, () => {
    it.scopedLive(`created_at reaches ${name} as ${product.from.param} and is applied exactly`, () =>
      Effect.gen(function* () {
        const sim = yield* product.start(60)
        const account = accountOn(adapter, sim)
        const expected = expectedActivities(adapter, account, sim.events())
        const middle = expected[Math.floor(expected.length / 2)]?.created_at as string
        const read = yield* readAccountToEnd(adapter, account, { created_at: middle }, 1000)
        const first = sim.requests().find((r) => r.path === path)
        expect(first?.params[product.from.param]).toBe(product.from.written(middle))
        expect(first?.params[product.until.param]).toMatch(product.until.form)
        expect(sortedIds(read.activities)).toEqual(
          sortedIds(expected.filter((a) => Date.parse(a.created_at) >= Date.parse(middle))),
        )
      }).pipe(Effect.provide(ProviderClientsTest)),
    )

    it.scopedLive(
      "tails records added after catching up, several sharing one millisecond, none repeated or missed",
      () =>
        Effect.gen(function* () {
          const sim = yield* product.start(20)
          const account = accountOn(adapter, sim)
          const caughtUp = yield* readAccountToEnd(adapter, account, {}, 100)
          const seen = new Set(caughtUp.activities.map((a) => a.id))
          // Older than the 30-second settle window: due on the next poll.
          const boundary = Date.now() - 45_000
          const burst = sim.emitAt(3, boundary)
          const tail = yield* readAccountToEnd(adapter, account, {}, 2, caughtUp.positions)
          // Records arriving at the very same millisecond after the stream passed it.
          const late = sim.emitAt(2, boundary)
          const again = yield* readAccountToEnd(adapter, account, {}, 2, tail.positions)
          const tailIds = [...tail.activities, ...again.activities].map((a) => a.id)
          expect(new Set(tailIds).size).toBe(tailIds.length)
          for (const id of tailIds) expect(seen.has(id)).toBe(false)
          expect(tailIds.sort()).toEqual(idsOf([...burst, ...late]))
          const idle = yield* readAccountToEnd(adapter, account, {}, 2, again.positions)
          expect(idle.activities).toEqual([])
        }).pipe(Effect.provide(ProviderClientsTest)),
    )

    it.scoped(
      "records arriving between two pages of one read (new ones, and a late one that shifts the offsets) are neither missed nor repeated",
      () =>
        Effect.gen(function* () {
          // On the TestClock, which the simulator lives by: the settle window is stepped over, not waited.
          yield* TestClock.setTime(Date.now())
          const sim = yield* product.start(10)
          // Pages of three, and a short settle window.
          const shortPages = variant(adapter, { settleMs: 500, paging: product.paging(3) })
          const account = accountOn(adapter, sim)
          const caughtUp = yield* readAccountToEnd(shortPages, account, {}, 100)
          // Four records and pages of three: the record at the page boundary is among the oldest three, so a
          // shift that brings it twice would publish it twice.
          const now = yield* TestClock.currentTimeMillis
          const start = now - 20_000
          const window = [0, 1, 2, 3].map((i) => {
            const record = product.userCreated(i, start + i * 1_000)
            sim.inject([record], start + i * 1_000)
            return record
          })
          let arrived: ReadonlyArray<unknown> = []
          sim.afterNextPage(() => {
            // A brand-new record, past the read's end, and one committed late inside the window: the newest
            // first list shifts by one under the read's offsets.
            const fresh = product.userCreated(100, now)
            const late = product.userCreated(101, now - 10_000)
            sim.inject([fresh], now)
            sim.inject([late], now - 10_000)
            arrived = [fresh, late]
          })
          const during = yield* readAccountToEnd(shortPages, account, {}, 3, caughtUp.positions)
          const pagesAnswered = sim.requests().filter((r) => r.path === path && r.status === 200)
          expect(pagesAnswered.length).toBeGreaterThanOrEqual(2)
          yield* TestClock.adjust("700 millis")
          const after = yield* readAccountToEnd(shortPages, account, {}, 3, during.positions)
          const ids = [...during.activities, ...after.activities].map((a) => a.id)
          expect(new Set(ids).size).toBe(ids.length)
          expect(ids.sort()).toEqual(idsOf([...window, ...arrived]))
        }).pipe(Effect.provide(ProviderClientsTest)),
    )

    it.scopedLive("an OAuth access token goes as Bearer; an email and API token as Basic", () =>
      Effect.gen(function* () {
        const sim = yield* product.start(5)
        const bearer = accountOn(adapter, sim, { credentials: { access_token: sim.accessToken } })
        const oauth = yield* readAccountToEnd(adapter, bearer, {}, 100)
        expect(oauth.activities.length).toBe(sim.events().length)
        expect(sim.requests().every((r) => r.authScheme === "Bearer")).toBe(true)
        const asked = sim.requests().length
        yield* readAccountToEnd(adapter, accountOn(adapter, sim), {}, 100)
        expect(
          sim
            .requests()
            .slice(asked)
            .every((r) => r.authScheme === "Basic"),
        ).toBe(true)
      }).pipe(Effect.provide(ProviderClientsTest)),
    )
  })
}
