import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema, TestClock } from "effect"
import { providerClientsLayer } from "../../../src/auth/providerClients.ts"
import type { ActivityFilters } from "../../../src/domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import { hubspot } from "../../../src/providers/hubspot/index.ts"
import { type AccountPage, pageAccount, type StreamPositions } from "../../../src/providers/pageAccount.ts"
import { providers } from "../../../src/providers/registry.ts"
import {
  type HubSpotSimulatorHandle,
  type HubSpotSimulatorOptions,
  startHubSpotSimulator,
} from "../../../src/simulators/hubspot/HubSpotSimulator.ts"

// Both streams (login_history, security_activity) through the shared page loop, against the simulated portal
// over loopback HTTP. The TestClock drives both sides, so the 30 s settle window is stepped over; the rate-limit
// tests run on real time. The simulator lists newest first, so the adapter's own sorting is exercised.

const NOW = Date.parse("2026-03-02T12:00:00Z")
const SETTLE_MS = 30_000
const Live = providerClientsLayer(providers, { retryBase: "10 millis" })
const LOGIN = "/account-info/v3/activity/login"
const SECURITY = "/account-info/v3/activity/security"

const simulator = (historySize: number, options: HubSpotSimulatorOptions = {}) =>
  startHubSpotSimulator({ seed: 11, historySize, requestsPerInterval: 100_000, ...options })

/** The refresh-token form by default (through the simulator's token endpoint); `private` for a private-app token. */
const accountOf = (
  sim: HubSpotSimulatorHandle,
  credentials: Record<string, string> = sim.credentials,
): IntegratedAccount => ({
  id: "hubspot-stream-test",
  integration: "hubspot",
  baseUrl: new URL(sim.baseUrl),
  credentials: Schema.decodeUnknownSync(hubspot.credentials)(credentials),
  settings: sim.settings,
})

const activitiesOf = (page: Pick<AccountPage, "records">) =>
  page.records.flatMap(({ mapped }) => (Either.isRight(mapped) ? [mapped.right] : []))

const readToEnd = (
  account: IntegratedAccount,
  filters: ActivityFilters,
  limit: number,
  from: StreamPositions = {},
) =>
  Effect.gen(function* () {
    const pages: AccountPage[] = []
    let positions = from
    for (let i = 0; i < 200; i++) {
      const page = yield* pageAccount(hubspot, { account, filters, positions, limit })
      pages.push(page)
      positions = page.positions
      if (!page.hasMore) break
    }
    return { pages, activities: pages.flatMap(activitiesOf), positions }
  })

const requestsTo = (sim: HubSpotSimulatorHandle, path: string) =>
  sim.requests().filter((r) => r.path === path)
const param = (request: { params: ReadonlyArray<readonly [string, string]> }, name: string) =>
  request.params.filter(([key]) => key === name).map(([, value]) => value)
const timeOf = (r: Readonly<Record<string, unknown>>) => Date.parse(String(r.loginAt ?? r.createdAt))
const settledIds = (records: ReadonlyArray<Readonly<Record<string, unknown>>>, before: number) =>
  records
    .filter((r) => timeOf(r) < before)
    .map((r) => String(r.id))
    .sort()

describe("hubspot streams through the simulator, over real HTTP", () => {
  it.scoped("both streams page to the end with after, each record once, sorted, up to now − settle", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* simulator(1_300)
      const read = yield* readToEnd(accountOf(sim), {}, 400)
      const byStream = (prefix: string) =>
        read.pages.flatMap((page) =>
          page.records.flatMap((r) =>
            r.stream === prefix && Either.isRight(r.mapped) ? [r.mapped.right] : [],
          ),
        )
      const logins = byStream("login_history")
      const security = byStream("security_activity")
      expect(logins.map((a) => a.id).sort()).toEqual(settledIds(sim.logins(), NOW - SETTLE_MS))
      expect(security.map((a) => a.id).sort()).toEqual(settledIds(sim.securityActions(), NOW - SETTLE_MS))
      for (const activities of [logins, security]) {
        expect(new Set(activities.map((a) => a.id)).size).toBe(activities.length)
        const times = activities.map((a) => Date.parse(a.created_at))
        expect(times.every((t, i) => i === 0 || (times[i - 1] ?? 0) <= t)).toBe(true)
      }
      // Failed logins are among them, mapped as such.
      expect(logins.some((a) => a.action === "login_failed")).toBe(true)
      expect(logins.some((a) => a.action === "login")).toBe(true)
      for (const path of [LOGIN, SECURITY]) {
        const requests = requestsTo(sim, path)
        expect(requests.filter((r) => param(r, "after").length > 0).length).toBeGreaterThanOrEqual(2)
        for (const request of requests) {
          // HubSpot's largest page whatever the read's limit: a watermark read takes every page anyway.
          expect(param(request, "limit")).toEqual(["200"])
          expect(request.authScheme).toBe("Bearer")
        }
      }
      // The refresh token went to the token endpoint, once.
      expect(sim.requests().filter((r) => r.path === "/oauth/v1/token")).toHaveLength(1)
      const first = read.pages[0]?.records[0]
      expect(first === undefined ? undefined : Either.getOrThrow(first.mapped).remote_data).toBe(first?.raw)
    }).pipe(Effect.provide(Live)),
  )

  it.scoped("a private-app access token is sent as Bearer, with no token request", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* simulator(20)
      const read = yield* readToEnd(accountOf(sim, { access_token: sim.accessToken }), {}, 100)
      expect(read.activities.length).toBe(
        settledIds([...sim.logins(), ...sim.securityActions()], NOW - SETTLE_MS).length,
      )
      expect(sim.requests().filter((r) => r.path === "/oauth/v1/token")).toEqual([])
    }).pipe(Effect.provide(Live)),
  )

  it.scoped(
    "actor_id reaches both lists as userId; created_at as security's fromTimestamp; action=login asks only login history",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(NOW)
        const sim = yield* simulator(120)
        const actor = sim.securityActions()[0]?.userId
        const earliest = Math.min(...sim.securityActions().map(timeOf))
        const createdAt = new Date(earliest + 60_000).toISOString()
        const read = yield* readToEnd(accountOf(sim), { actor_id: String(actor), created_at: createdAt }, 100)
        const [login] = requestsTo(sim, LOGIN)
        const [security] = requestsTo(sim, SECURITY)
        expect(login && param(login, "userId")).toEqual([String(actor)])
        expect(login && param(login, "fromTimestamp")).toEqual([])
        expect(security && param(security, "userId")).toEqual([String(actor)])
        expect(security && param(security, "fromTimestamp")).toEqual([String(Date.parse(createdAt))])
        expect(security && param(security, "toTimestamp")).toEqual([String(NOW - SETTLE_MS - 1)])
        const expected = [...sim.logins(), ...sim.securityActions()]
          .filter(
            (r) => r.userId === actor && timeOf(r) >= Date.parse(createdAt) && timeOf(r) < NOW - SETTLE_MS,
          )
          .map((r) => String(r.id))
          .sort()
        expect(read.activities.map((a) => a.id).sort()).toEqual(expected)
        expect(expected.length).toBeGreaterThan(0)

        const before = requestsTo(sim, SECURITY).length
        const logins = yield* readToEnd(accountOf(sim), { action: "login" }, 100)
        expect(requestsTo(sim, SECURITY).length).toBe(before)
        expect(logins.activities.map((a) => a.id).sort()).toEqual(
          sim
            .logins()
            .filter((r) => r.loginSucceeded === true && timeOf(r) < NOW - SETTLE_MS)
            .map((r) => String(r.id))
            .sort(),
        )
        // A HubSpot user id is an integer: anything else matches nothing, without a request.
        const count = sim.requests().length
        const none = yield* readToEnd(accountOf(sim), { actor_id: "mark.scout@acme.example" }, 100)
        expect(none.activities).toEqual([])
        expect(sim.requests().length).toBe(count)
      }).pipe(Effect.provide(Live)),
  )

  it.scoped(
    "tails records added after catching up, several sharing one instant, none repeated or missed",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(NOW)
        const sim = yield* simulator(30)
        const account = accountOf(sim)
        const caughtUp = yield* readToEnd(account, {}, 100)
        const seen = new Set(caughtUp.activities.map((a) => a.id))

        const boundary = NOW + 5_000
        const burst = [
          ...Array.from({ length: 5 }, () => String(sim.injectLogin({}, boundary).id)),
          ...Array.from({ length: 3 }, () => String(sim.injectSecurity({}, boundary).id)),
        ]
        yield* TestClock.adjust(SETTLE_MS + 10_000)
        // Pages of two split the records of one instant across reads: the boundary ids carry the split.
        const tail = yield* readToEnd(account, {}, 2, caughtUp.positions)
        // Records HubSpot lists late, at the very instant the streams have passed.
        const late = [String(sim.injectLogin({}, boundary).id), String(sim.injectSecurity({}, boundary).id)]
        const again = yield* readToEnd(account, {}, 2, tail.positions)
        const tailIds = [...tail.activities, ...again.activities].map((a) => a.id)
        // Ids are per list (HubSpot numbers each on its own), so count by stream and id.
        const keys = [...tail.pages, ...again.pages].flatMap((p) =>
          p.records.flatMap((r) => (Either.isRight(r.mapped) ? [`${r.stream}:${r.mapped.right.id}`] : [])),
        )
        expect(new Set(keys).size).toBe(keys.length)
        for (const id of [...burst, ...late]) expect(tailIds).toContain(id)
        const all = [...sim.logins(), ...sim.securityActions()]
        // The history's own records inside the settle window at catch-up arrive in the tail as well.
        expect([...tailIds].sort()).toEqual(settledIds(all, NOW + 10_000).filter((id) => !seen.has(id)))
        const idle = yield* readToEnd(account, {}, 2, again.positions)
        expect(idle.activities).toEqual([])
      }).pipe(Effect.provide(Live)),
  )

  it.scopedLive(
    "a 429 (TEN_SECONDLY_ROLLING, no Retry-After) is waited out for the interval, then reads on",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator(10, { intervalMs: 1_000 })
        sim.forceRateLimited(1)
        const read = yield* readToEnd(
          accountOf(sim, { access_token: sim.accessToken }),
          { action: "login" },
          100,
        )
        expect(read.activities.length).toBeGreaterThan(0)
        const [refused, accepted] = requestsTo(sim, LOGIN)
        expect([refused?.status, accepted?.status]).toEqual([429, 200])
        expect((accepted?.receivedAt ?? 0) - (refused?.receivedAt ?? 0)).toBeGreaterThanOrEqual(900)
      }).pipe(Effect.provide(Live)),
  )

  it.scopedLive("X-HubSpot-RateLimit-Remaining at 0 is waited out before the next request: never a 429", () =>
    Effect.gen(function* () {
      const sim = yield* simulator(1_000, { intervalMs: 1_000, requestsPerInterval: 2 })
      const read = yield* readToEnd(accountOf(sim, { access_token: sim.accessToken }), {}, 2_000)
      const api = sim.requests().filter((r) => r.path !== "/oauth/v1/token")
      expect(api.length).toBeGreaterThanOrEqual(5)
      expect(api.every((r) => r.status === 200)).toBe(true)
      expect(read.activities.length).toBe(
        settledIds([...sim.logins(), ...sim.securityActions()], Date.now() - SETTLE_MS).length,
      )
    }).pipe(Effect.provide(Live)),
  )

  it.scoped("a refused token is ProviderUnauthorized (the endpoint's remote_unauthorized)", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* simulator(5)
      const error = yield* Effect.flip(readToEnd(accountOf(sim, { access_token: "pat-na1-revoked" }), {}, 10))
      expect(error).toMatchObject({ _tag: "ProviderUnauthorized", status: 401 })
      expect(error.message).toContain("INVALID_AUTHENTICATION")
    }).pipe(Effect.provide(Live)),
  )

  it.scoped("a malformed record is dead-lettered once while the rest of the page arrives", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* simulator(10)
      const account = accountOf(sim)
      yield* TestClock.adjust(SETTLE_MS + 1_000)
      const first = yield* readToEnd(account, {}, 100)
      const broken = sim.injectMalformed("bad-time")
      const at = NOW + SETTLE_MS + 1_000
      const good = [String(sim.injectLogin({}, at).id), String(sim.injectLogin({}, at).id)]
      yield* TestClock.adjust(SETTLE_MS + 1_000)
      const next = yield* readToEnd(account, {}, 100, first.positions)
      const rejected = next.pages.flatMap((p) => p.records.filter((r) => Either.isLeft(r.mapped)))
      expect(rejected.map((r) => r.raw)).toEqual([broken])
      expect(
        next.pages
          .flatMap(activitiesOf)
          .map((a) => a.id)
          .sort(),
      ).toEqual(good.sort())
      const later = yield* readToEnd(account, {}, 100, next.positions)
      expect(later.pages.flatMap((p) => p.records)).toEqual([])
    }).pipe(Effect.provide(Live)),
  )
})
