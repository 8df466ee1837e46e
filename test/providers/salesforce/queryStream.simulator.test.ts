import { describe, expect, it } from "@effect/vitest"
import { Effect, TestClock } from "effect"
import type { ActivityFilters } from "../../../src/domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import type { StreamPositions } from "../../../src/providers/pageAccount.ts"
import { salesforce } from "../../../src/providers/salesforce/index.ts"
import { idChecksum } from "../../../src/providers/salesforce/soql.ts"
import {
  type SalesforceSimulatorHandle,
  type SalesforceSimulatorOptions,
  startSalesforceSimulator,
} from "../../../src/simulators/salesforce/SalesforceSimulator.ts"
import { ProviderClientsTest } from "../../support/providerClients.ts"
import { accountOn, readAccountToEnd } from "../../support/readAccountToEnd.ts"

// Both Salesforce streams through the shared page loop, against the simulated org over loopback HTTP (token
// endpoint included). The TestClock drives both sides, so the 30 s settle window is stepped over.

const NOW = Date.parse("2026-03-02T12:00:00Z")
const SETTLE_MS = 30_000

const simulator = (historySize: number, options: SalesforceSimulatorOptions = {}) =>
  startSalesforceSimulator({ seed: 11, historySize, dailyApiRequests: 100_000, ...options })

const accountOf = (
  sim: SalesforceSimulatorHandle,
  credentials: Record<string, string> = sim.credentials,
  settings: Readonly<Record<string, string>> = sim.settings,
) => accountOn(salesforce, sim, { credentials, settings: { ...settings } })

const readToEnd = (
  account: IntegratedAccount,
  filters: ActivityFilters,
  limit: number,
  from: StreamPositions = {},
) => readAccountToEnd(salesforce, account, filters, limit, from)

const queries = (sim: SalesforceSimulatorHandle) =>
  sim.requests().filter((r) => r.path.startsWith("/services/data/"))
const rowTime = (row: Readonly<Record<string, unknown>>) =>
  Date.parse(String(row.LoginTime ?? row.CreatedDate).replace(/\+0000$/, "Z"))
const settledIds = (sim: SalesforceSimulatorHandle, before: number) =>
  [...sim.loginHistory(), ...sim.setupAuditTrail()]
    .filter((row) => rowTime(row) < before)
    .map((row) => String(row.Id))
    .sort()

const sfTime = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace("Z", "+0000")
let injected = 0
/** `count` LoginHistory rows all in the same second, `at`; every other one a failed login. */
const injectLogins = (sim: SalesforceSimulatorHandle, count: number, at: number) =>
  Array.from({ length: count }, () => {
    const n = ++injected
    const base = `0Ya5e00000Z${String(n).padStart(4, "0")}`
    const id = `${base}${idChecksum(base)}`
    sim.inject(
      "LoginHistory",
      {
        attributes: { type: "LoginHistory", url: `/services/data/v62.0/sobjects/LoginHistory/${id}` },
        Id: id,
        UserId: sim.users[0]?.id,
        LoginTime: sfTime(at),
        LoginType: "Application",
        SourceIp: "203.0.113.5",
        Status: n % 2 === 0 ? "Invalid Password" : "Success",
      },
      at,
    )
    return id
  })

describe("salesforce streams through the simulator, over real HTTP", () => {
  it.scoped(
    "both objects paged to the end by nextRecordsUrl, oldest first, each row once, at the pinned API version",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(NOW)
        const sim = yield* simulator(120, { maxBatchSize: 15 })
        const account = accountOf(sim, sim.credentials, { ...sim.settings, api_version: "60.0" })
        const read = yield* readToEnd(account, {}, 25)
        const ids = read.activities.map((a) => a.id)
        expect([...ids].sort()).toEqual(settledIds(sim, NOW - SETTLE_MS))
        expect(new Set(ids).size).toBe(ids.length)
        const times = read.activities.map((a) => Date.parse(a.created_at))
        expect(times.every((t, i) => i === 0 || (times[i - 1] ?? 0) <= t)).toBe(true)
        const sent = queries(sim)
        expect(sent.every((r) => r.path.startsWith("/services/data/v60.0/query"))).toBe(true)
        const locators = sent.filter((r) => /\/query\/01g/.test(r.path))
        expect(locators.length).toBeGreaterThanOrEqual(2)
        const soql = sent.map((r) => r.params.q).filter((q) => q !== undefined)
        expect(
          soql.some((q) => q.includes("FROM LoginHistory") && q.includes("ORDER BY LoginTime ASC, Id ASC")),
        ).toBe(true)
        expect(
          soql.some(
            (q) => q.includes("FROM SetupAuditTrail") && q.includes("ORDER BY CreatedDate ASC, Id ASC"),
          ),
        ).toBe(true)
        // Status decides login vs login_failed.
        const actions = new Set(read.activities.map((a) => a.action))
        expect(actions.has("login")).toBe(true)
        expect(actions.has("login_failed")).toBe(true)
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped(
    "created_at and actor_id reach Salesforce as SOQL conditions; a hostile actor_id never does",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(NOW)
        const sim = yield* simulator(80)
        const account = accountOf(sim)
        const user = sim.users[1]?.id ?? ""
        const createdAt = "2026-03-01T00:00:00.000Z"
        const read = yield* readToEnd(account, { created_at: createdAt, actor_id: user }, 100)
        const soql = queries(sim)
          .map((r) => r.params.q)
          .filter((q) => q !== undefined)
        expect(soql.some((q) => q.includes("LoginTime >= 2026-03-01T00:00:00Z"))).toBe(true)
        expect(soql.some((q) => q.includes(`UserId = '${user}'`))).toBe(true)
        expect(soql.some((q) => q.includes(`CreatedById = '${user}'`))).toBe(true)
        const expected = [...sim.loginHistory(), ...sim.setupAuditTrail()]
          .filter(
            (row) =>
              (row.UserId ?? row.CreatedById) === user &&
              rowTime(row) >= Date.parse(createdAt) &&
              rowTime(row) < NOW - SETTLE_MS,
          )
          .map((row) => String(row.Id))
          .sort()
        expect(read.activities.map((a) => a.id).sort()).toEqual(expected)

        const before = queries(sim).length
        const hostile = yield* readToEnd(account, { actor_id: "005' OR Id != '" }, 100)
        expect(hostile.activities).toEqual([])
        expect(queries(sim).length).toBe(before)
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("tails rows added after catching up, several sharing one second, none repeated or missed", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* simulator(20)
      const account = accountOf(sim)
      const caughtUp = yield* readToEnd(account, {}, 100)
      const seen = new Set(caughtUp.activities.map((a) => a.id))

      const boundary = NOW + 5_000
      const burst = injectLogins(sim, 5, boundary)
      yield* TestClock.adjust(SETTLE_MS + 10_000)
      const tail = yield* readToEnd(account, {}, 2, caughtUp.positions)
      // Rows that become visible late, in the very second the stream has passed.
      const late = injectLogins(sim, 3, boundary)
      const again = yield* readToEnd(account, {}, 2, tail.positions)
      const tailIds = [...tail.activities, ...again.activities].map((a) => a.id)
      expect(new Set(tailIds).size).toBe(tailIds.length)
      for (const id of tailIds) expect(seen.has(id)).toBe(false)
      expect(new Set(tailIds)).toEqual(
        new Set([...settledIds(sim, NOW + 10_000).filter((id) => !seen.has(id)), ...late]),
      )
      for (const id of burst) expect(tailIds).toContain(id)
      const idle = yield* readToEnd(account, {}, 2, again.positions)
      expect(idle.activities).toEqual([])
    }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped(
    "a nextRecordsUrl with any locator shape, under query or queryAll, is followed over HTTP to the end",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(NOW)
        // Salesforce documents the locator only as "a string": the documented example's shape, another
        // prefix, no dash at all, and the same under queryAll, in turn.
        const shapes = [
          (id: string, offset: number) => `01gD0000002HU6KIAW${id.slice(3, 6)}-${offset}`,
          (id: string, offset: number) => `0r8xx3k2ABC${id.slice(3, 6)}-${offset}`,
          (id: string, offset: number) => `${id}${offset}`,
          (id: string, offset: number) => `${id}_${offset}.batch`,
        ]
        let named = 0
        const sim = yield* simulator(120, {
          maxBatchSize: 15,
          queryLocator: (id, offset) =>
            (shapes[(offset / 15) % shapes.length] ?? shapes[0])?.(id, offset) ?? "",
          // Every other batch names its locator under queryAll, which Salesforce answers the same.
          nextRecordsUrl: (path) => (++named % 2 === 0 ? path.replace("/query/", "/queryAll/") : path),
        })
        // Reads of 200 take every batch of a query, so each locator shape comes up.
        const read = yield* readToEnd(accountOf(sim), {}, 200)
        const ids = read.activities.map((a) => a.id)
        expect([...ids].sort()).toEqual(settledIds(sim, NOW - SETTLE_MS))
        expect(new Set(ids).size).toBe(ids.length)
        const batches = queries(sim)
          .map((r) => r.path)
          .filter((path) => /\/query(All)?\/./.test(path))
        for (const shape of [
          /\/01gD0000002HU6KIAW\w{3}-\d+$/,
          /\/0r8xx3k2ABC\w{3}-\d+$/,
          /\/01g\w+_\d+\.batch$/,
        ])
          expect(batches.some((path) => shape.test(path))).toBe(true)
        expect(batches.some((path) => /\/query(All)?\/01g[A-Za-z0-9]{15}\d+$/.test(path))).toBe(true)
        expect(batches.some((path) => path.includes("/queryAll/"))).toBe(true)
        expect(batches.some((path) => path.includes("/query/"))).toBe(true)
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("a nextRecordsUrl naming another host fails the read for good; that host is never called", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      // A second org stands for the other host: it would answer the path, so only the refusal keeps it quiet.
      const elsewhere = yield* simulator(120)
      const sim = yield* simulator(120, {
        maxBatchSize: 15,
        nextRecordsUrl: (path) => `${elsewhere.baseUrl}${path}`,
      })
      const error = yield* Effect.flip(readToEnd(accountOf(sim), {}, 25))
      expect(error).toMatchObject({ _tag: "ContinuationRefused", host: new URL(elsewhere.baseUrl).host })
      expect(elsewhere.requests()).toEqual([])
      expect(queries(sim).every((r) => r.path.endsWith("/query"))).toBe(true)
    }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("a nextRecordsUrl that is not a locator path fails the read for good, before any request", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      for (const rewrite of [
        (path: string) => `${path}/../../sobjects/User`,
        (path: string) => path.replace(/\/query\/.*/, "/query/..%2F..%2Fsobjects%2FUser"),
        (path: string) => `${path}?q=SELECT+Id+FROM+User`,
        (path: string) => path.replace("/query/", "/sobjects/"),
        (path: string) => path.replace("/v62.0/", "/v61.0/"),
      ]) {
        const sim = yield* simulator(120, { maxBatchSize: 15, nextRecordsUrl: rewrite })
        const error = yield* Effect.flip(readToEnd(accountOf(sim), {}, 25))
        expect(error).toMatchObject({ _tag: "ContinuationRefused" })
        expect(error.message).toContain("is not a query locator under /services/data/v62.0/query")
        expect(queries(sim).every((r) => r.path.endsWith("/query"))).toBe(true)
      }
    }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("403 REQUEST_LIMIT_EXCEEDED is a rate limit, not a refused credential", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* simulator(5)
      sim.forceRequestLimitExceeded(1)
      const error = yield* Effect.flip(readToEnd(accountOf(sim), {}, 10))
      expect(error).toMatchObject({ _tag: "ProviderRateLimited" })
    }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("a revoked session is renewed through the refresh-token grant and the read goes on", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* simulator(10)
      const account = accountOf(sim)
      yield* readToEnd(account, {}, 100)
      sim.revokeTokens()
      injectLogins(sim, 2, NOW + 1_000)
      yield* TestClock.adjust(SETTLE_MS + 5_000)
      const read = yield* readToEnd(account, {}, 100)
      expect(read.activities.length).toBeGreaterThan(0)
      expect(sim.tokenRequests().filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(2)
    }).pipe(Effect.provide(ProviderClientsTest)),
  )
})
