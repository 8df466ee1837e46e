import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { type Activity, isUnifiedAction } from "../../../src/domain/Activity.ts"
import { type ActivityFilters, type FilterName, FilterNames } from "../../../src/domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import { pageAccount, type StreamPositions } from "../../../src/providers/pageAccount.ts"
import { IntegrationNames, providers } from "../../../src/providers/registry.ts"
import { ProviderClientsTest } from "../../support/providerClients.ts"
import { accountOn, activitiesOf, readAccountToEnd, rejectedOf } from "../../support/readAccountToEnd.ts"
import { specActionsAccepted, specFilterSupport } from "../../support/specMatrix.ts"
import { eventually, sleepingFor } from "../../support/testClock.ts"
import { profiles } from "./profiles.ts"

// Every integration of the production registry, read through its production adapter and the shared page loop,
// over real HTTP to its simulator, on the TestClock (which the simulators live by): the same script for each.
// What only one provider does stays in that provider's own test file.

/** A fixed instant, so every run reads the same history. */
const NOW = Date.parse("2026-11-30T12:00:00.000Z")
/** Longer than any stream's settle window (Zoom's 30 minutes is the longest): what is held is readable. */
const SETTLED = "1 hour"

const ids = (activities: ReadonlyArray<Activity>) => activities.map((a) => a.id).sort()

/**
 * How a test sees whether an activity matches a filter: the spec's words, written here apart from the
 * product's post-filter so that the two can disagree.
 */
const matches: {
  readonly [F in Exclude<FilterName, "organization_id">]: (a: Activity, value: string) => boolean
} = {
  created_at: (a, value) => Date.parse(a.created_at) >= Date.parse(value),
  actor_id: (a, value) => a.actor?.user?.id === value,
  action: (a, value) => a.action === value,
  entity: (a, value) => a.entity === value,
  entity_type: (a, value) => a.entity_type === value,
  ip_address: (a, value) => a.context?.ip_address === value,
}

/** The value of `filter` that the fewest of `activities` hold (a filter that keeps everything shows nothing). */
const rarestValue = (
  filter: keyof typeof matches,
  activities: ReadonlyArray<Activity>,
  actionsAccepted: ReadonlyArray<string> | undefined,
): string | undefined => {
  if (filter === "created_at") return activities[Math.floor(activities.length / 2)]?.created_at
  const held = activities.flatMap((a) => {
    const value =
      filter === "actor_id"
        ? a.actor?.user?.id
        : filter === "ip_address"
          ? a.context?.ip_address
          : filter === "action"
            ? // A raw provider action (no unified counterpart) is not a value the filter takes.
              isUnifiedAction(a.action) && (actionsAccepted?.includes(a.action) ?? true)
              ? a.action
              : undefined
            : a[filter]
    return value === undefined ? [] : [value]
  })
  const counts = new Map<string, number>()
  for (const value of held) counts.set(value, (counts.get(value) ?? 0) + 1)
  return [...counts].sort(([, a], [, b]) => a - b)[0]?.[0]
}

describe.each(IntegrationNames)("%s conformance: through the simulator, over real HTTP", (integration) => {
  const adapter = providers[integration]
  const profile = profiles[integration]

  /** The simulator with its history settled, and an account on it. */
  const begin = (historySize: number) =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* profile.start(historySize)
      yield* TestClock.adjust(SETTLED)
      return { sim, account: accountOn(adapter, sim) }
    })
  const read = (
    account: IntegratedAccount,
    filters: ActivityFilters,
    limit: number,
    from?: StreamPositions,
  ) => readAccountToEnd(adapter, account, filters, limit, from)

  it.scoped("pages to the end: every record the simulator holds, once, the same at any page size", () =>
    Effect.gen(function* () {
      const { sim, account } = yield* begin(40)
      const whole = yield* read(account, {}, 1000)
      expect(whole.activities.length).toBe(sim.events().length)
      expect(new Set(ids(whole.activities)).size).toBe(whole.activities.length)
      expect(whole.pages.flatMap(rejectedOf)).toEqual([])
      const paged = yield* read(account, {}, 7)
      expect(ids(paged.activities)).toEqual(ids(whole.activities))
      expect(paged.pages.length).toBeGreaterThan(whole.pages.length)
    }).pipe(Effect.provide(ProviderClientsTest)),
  )

  const filters = FilterNames.filter(
    (filter): filter is keyof typeof matches =>
      filter !== "organization_id" && specFilterSupport[filter].includes(integration),
  )
  for (const filter of filters) {
    // A deviation the profile records still runs, expected to fail: once the product is mended it fails again.
    const deviation = profile.deviations?.[filter]
    const test = deviation === undefined ? it.scoped : it.scoped.fails
    const name = `the spec's ${filter} filter gives exactly the matching activities`
    test(deviation === undefined ? name : `${name} (known deviation: ${deviation})`, () =>
      Effect.gen(function* () {
        const { account } = yield* begin(60)
        const whole = yield* read(account, {}, 1000)
        const value = rarestValue(filter, whole.activities, specActionsAccepted[integration])
        if (value === undefined) return expect.unreachable(`no activity holds a ${filter} to filter on`)
        const expected = whole.activities.filter((a) => matches[filter](a, value))
        expect(expected.length).toBeGreaterThan(0)
        const filtered = yield* read(account, { [filter]: value } as ActivityFilters, 1000)
        expect(ids(filtered.activities)).toEqual(ids(expected))
      }).pipe(Effect.provide(ProviderClientsTest)),
    )
  }

  it.scoped(
    "a refused credential is ProviderUnauthorized 401, saying what the provider said, no secret",
    () =>
      Effect.gen(function* () {
        const { sim } = yield* begin(5)
        const credentials = profile.refused(sim)
        const error = yield* Effect.flip(read(accountOn(adapter, sim, { credentials }), {}, 10))
        expect(error).toMatchObject({ _tag: "ProviderUnauthorized", status: 401 })
        // Not retried: one refusal per stream at most.
        const refusals = sim.requests().filter((r) => r.status === 401).length
        expect(refusals).toBeGreaterThan(0)
        expect(refusals).toBeLessThanOrEqual(adapter.streams.length)
        expect(error.message).toContain(profile.refusalSays)
        for (const secret of Object.values(credentials)) expect(error.message).not.toContain(secret)
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("a malformed record is handed on once as a rejection while the rest of the page arrives", () =>
    Effect.gen(function* () {
      const { sim, account } = yield* begin(10)
      const first = yield* read(account, {}, 100)
      const broken = profile.malformed(sim, yield* TestClock.currentTimeMillis)
      const held = sim.events().length
      sim.emit(2)
      const emitted = sim.events().length - held
      yield* TestClock.adjust(SETTLED)
      const next = yield* read(account, {}, 100, first.positions)
      const rejected = next.pages.flatMap(rejectedOf).map((r) => r.raw as Record<string, unknown>)
      expect(rejected).toHaveLength(1)
      // As served: a provider may wrap a record (Salesforce adds `attributes`) or select fewer of its fields.
      const served = Object.entries(rejected[0] ?? {}).filter(([key]) => key in (broken as object))
      expect(served.length).toBeGreaterThan(2)
      expect(broken).toMatchObject(Object.fromEntries(served))
      expect(next.activities).toHaveLength(emitted)
      const later = yield* read(account, {}, 100, next.positions)
      expect(later.pages.flatMap((p) => p.records)).toEqual([])
    }).pipe(Effect.provide(ProviderClientsTest)),
  )

  const { refuseCursors, rateLimit } = profile
  it("drives a refused cursor exactly where a stream of the adapter restarts one", () => {
    expect(refuseCursors !== undefined).toBe(
      adapter.streams.some((stream) => stream.paging.restart !== undefined),
    )
  })
  if (refuseCursors !== undefined)
    it.scoped("a refused or expired cursor restarts the read: nothing missed, nothing repeated", () =>
      Effect.gen(function* () {
        // Enough for a continuation within one read (Salesforce hands out a locator past 200 rows).
        const { sim, account } = yield* begin(450)
        const whole = yield* read(account, {}, 1000)
        const firstPage = yield* pageAccount(adapter, { account, filters: {}, positions: {}, limit: 5 })
        expect(firstPage.hasMore).toBe(true)
        const asked = sim.requests().length
        refuseCursors(sim)
        const rest = yield* read(account, {}, 100, firstPage.positions)
        const refusals = sim
          .requests()
          .slice(asked)
          .filter((r) => (r.status ?? 200) >= 400)
        expect(refusals.length).toBeGreaterThan(0)
        const all = [...activitiesOf(firstPage), ...rest.activities]
        expect(ids(all)).toEqual(ids(whole.activities))
        // A cursor handed out after the refusal is good again: the next poll is quiet, then tails new records.
        const idle = yield* read(account, {}, 5, rest.positions)
        expect(idle.activities).toEqual([])
      }).pipe(Effect.provide(ProviderClientsTest)),
    )

  if (rateLimit !== undefined)
    it.scoped("a 429 is waited out for as long as the provider's headers ask, then the read goes on", () =>
      Effect.gen(function* () {
        const { sim, account } = yield* begin(10)
        // Longer than a request's own timeout (30 s), whose sleep cannot then pass for this one.
        const asked = rateLimit(sim, 45_000)
        const reading = yield* Effect.fork(read(account, {}, 100))
        const statuses = () => sim.requests().map((r) => r.status ?? 200)
        yield* eventually(() => statuses().some((status) => status >= 400), `${integration}'s 429`)
        yield* sleepingFor(asked, `${integration}'s wait after its 429`)
        // One refusal (GitHub's is a 403 with its rate-limit headers), and nothing asked while waiting.
        const waiting = statuses()
        expect(waiting.filter((status) => status >= 400)).toHaveLength(1)
        // The wait in one move (not 45 one-second steps, 25 ms of real time apiece); what the provider's
        // rounding adds, in steps.
        yield* TestClock.adjust(asked)
        const done = () => reading.unsafePoll() !== null
        yield* eventually(done, `${integration}'s read after the 429`, TestClock.adjust("1 second"))
        const result = yield* Fiber.join(reading)
        expect(result.activities.length).toBe(sim.events().length)
        expect(
          statuses()
            .slice(waiting.length)
            .every((status) => status < 400),
        ).toBe(true)
      }).pipe(Effect.provide(ProviderClientsTest)),
    )
})
