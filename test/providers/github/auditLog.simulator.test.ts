import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, TestClock } from "effect"
import { phraseTime } from "../../../src/providers/github/auditLogQuery.ts"
import { github } from "../../../src/providers/github/index.ts"
import {
  type GitHubSimulatorHandle,
  type GitHubSimulatorOptions,
  startGitHubSimulator,
} from "../../../src/simulators/github/GitHubSimulator.ts"
import { ProviderClientsTest } from "../../support/providerClients.ts"
import { accountOn, readAccountToEnd } from "../../support/readAccountToEnd.ts"
import { eventually, sleepingFor } from "../../support/testClock.ts"

// GitHub's audit-log stream through the shared page loop, over real HTTP to the GitHub simulator. The
// simulator and the watermark read share the Effect Clock, so the settle window is exercised on the TestClock
// (a retry's wait too). What every provider does is in test/providers/conformance.

const MINUTE = 60_000
const SETTLE = 5 * MINUTE

const simulator = (options: GitHubSimulatorOptions = {}) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(Date.now())
    return yield* startGitHubSimulator({ seed: 23, ...options })
  })

const timeOf = (event: unknown) => (event as { "@timestamp": number })["@timestamp"]
const idOf = (event: unknown) => (event as { _document_id: string })._document_id
/** The simulator's events settled at `now` (older than the settle window), oldest first (ties by id, as GitHub's). */
const settledIds = (sim: GitHubSimulatorHandle, now: number, since = Number.NEGATIVE_INFINITY) =>
  sim
    .events()
    .filter((e) => timeOf(e) < now - SETTLE && timeOf(e) >= since)
    .sort((a, b) => timeOf(a) - timeOf(b) || (idOf(a) < idOf(b) ? -1 : idOf(a) > idOf(b) ? 1 : 0))
    .map(idOf)
const auditRequests = (sim: GitHubSimulatorHandle) =>
  sim.requests().filter((r) => r.path.endsWith("/audit-log"))
const read = (sim: GitHubSimulatorHandle, limit: number, from = {}) =>
  readAccountToEnd(github, accountOn(github, sim), { organization_id: sim.org }, limit, from)

describe("github audit log through the simulator, over real HTTP", () => {
  it.scoped(
    "reads the whole history oldest first, each event once, on the org's own path with only GitHub's after cursor taken from its links",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 120 })
        const now = yield* TestClock.currentTimeMillis
        const result = yield* read(sim, 25)
        const ids = result.activities.map((a) => a.id)
        expect(ids).toEqual(settledIds(sim, now))
        expect(new Set(ids).size).toBe(ids.length)
        for (const activity of result.activities) expect(activity.organization).toBe(sim.org)

        const requests = auditRequests(sim)
        for (const request of requests) {
          expect(request.path).toBe(`/orgs/${sim.org}/audit-log`)
          expect(request.status).toBe(200)
          expect(request.apiVersion).toBe("2022-11-28")
          expect(request.params).toMatchObject({ order: "asc", include: "web", per_page: "25" })
          expect(request.params.phrase).toMatch(
            /^created:>=\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z created:<=\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/,
          )
        }
        // The first read reaches back to GitHub's 180 days, and ends five minutes before now.
        const [first] = requests
        expect(first?.params.phrase).toContain(
          `created:>=${new Date(now - 180 * 24 * 60 * MINUTE).toISOString().slice(0, 13)}`,
        )
        expect(first?.params.phrase).toContain(`created:<=${phraseTime(now - SETTLE - 1)}`)
        // GitHub's links name the org by id; their after cursor went back with the read's own phrase.
        const continued = requests.filter((r) => r.params.after)
        expect(continued.length).toBeGreaterThan(0)
        // Oldest first, a read stops once it has a page's worth: about one request per page, not the whole
        // remaining history on every page (1,750 queries an hour).
        expect(requests.length).toBeLessThanOrEqual(result.pages.length + continued.length)
        expect(requests.length).toBeLessThan(2 * result.pages.length + 2)
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped(
    "tails across polls: nothing newer than five minutes, a burst in one millisecond split across pages, a late backfill within the settle window",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 20, historySpanMs: 60 * MINUTE })
        const caughtUp = yield* read(sim, 100)
        const published = caughtUp.activities.map((a) => a.id)

        // Five events in one millisecond, now: not settled yet, so not read.
        sim.emit(5)
        const burst = sim.events().slice(-5).map(idOf)
        const early = yield* read(sim, 2, caughtUp.positions)
        expect(early.activities).toEqual([])
        // GitHub writes an event half a minute after the burst, a minute late: still inside the settle window.
        const t0 = yield* TestClock.currentTimeMillis
        yield* TestClock.adjust("90 seconds")
        const [template] = sim.events().slice(-1)
        sim.inject({
          ...(template as object),
          _document_id: "late-backfilled-event",
          "@timestamp": t0 + 30_000,
        })

        yield* TestClock.adjust("5 minutes")
        const tail = yield* read(sim, 2, early.positions)
        const now = yield* TestClock.currentTimeMillis
        const tailIds = tail.activities.map((a) => a.id)
        // What settled since the first read (its last minutes, the burst, the late event), oldest first.
        expect(tailIds).toEqual(settledIds(sim, now).filter((id) => !published.includes(id)))
        expect(tailIds.slice(-6)).toEqual([...[...burst].sort(), "late-backfilled-event"])
        // Pages of two split the burst's millisecond: the ids at the boundary carry the split.
        const pageOf = (id: string) => tail.pages.findIndex((p) => p.records.some((r) => idOf(r.raw) === id))
        expect(new Set(burst.map(pageOf)).size).toBeGreaterThanOrEqual(3)
        expect(tail.pages.every((p) => p.records.length <= 2)).toBe(true)

        // Backfilled behind the watermark, past the settle window: the one case this tail cannot see.
        sim.inject({
          ...(template as object),
          _document_id: "too-late-event",
          "@timestamp": now - 30 * MINUTE,
        })
        yield* TestClock.adjust("1 minute")
        const later = yield* read(sim, 100, tail.positions)
        expect(later.activities.map((a) => a.id)).toEqual([])

        const all = [...published, ...tailIds]
        expect(new Set(all).size).toBe(all.length)
        expect([...all].sort()).toEqual(
          sim
            .events()
            .map(idOf)
            .filter((id) => id !== "too-late-event")
            .sort(),
        )
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("an org the token cannot see is GitHub's 404, asked on that org's path", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 3 })
      const otherOrg = accountOn(github, sim, { settings: { organization_id: "someone-else" } })
      const missing = yield* Effect.flip(readAccountToEnd(github, otherOrg, {}, 10))
      expect(missing).toMatchObject({ _tag: "ProviderRejected", status: 404 })
      expect(auditRequests(sim).map((r) => r.path)).toEqual(["/orgs/someone-else/audit-log"])
    }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("GitHub's secondary rate limit (403 with retry-after) is waited out for as long as it says", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 10 })
      yield* TestClock.adjust("1 hour")
      sim.forceSecondaryRateLimited(1, 40)
      const reading = yield* Effect.fork(read(sim, 100))
      yield* eventually(() => auditRequests(sim).length > 0, "the refused request")
      yield* sleepingFor(40_000, "the secondary limit's retry-after")
      expect(auditRequests(sim).map((r) => r.status)).toEqual([403])
      // The wait in one clock move, not forty one-second steps of 25 ms of real time each.
      yield* TestClock.adjust("40 seconds")
      const done = () => reading.unsafePoll() !== null
      yield* eventually(done, "the read after the wait", TestClock.adjust("1 second"))
      const result = yield* Fiber.join(reading)
      expect(result.activities.map((a) => a.id)).toEqual(settledIds(sim, yield* TestClock.currentTimeMillis))
      expect(
        auditRequests(sim)
          .slice(1)
          .every((r) => r.status === 200),
      ).toBe(true)
    }).pipe(Effect.provide(ProviderClientsTest)),
  )
})
