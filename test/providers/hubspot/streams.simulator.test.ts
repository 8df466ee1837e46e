import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Fiber, TestClock } from "effect"
import type { ActivityFilters } from "../../../src/domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import { hubspot } from "../../../src/providers/hubspot/index.ts"
import type { StreamPositions } from "../../../src/providers/pageAccount.ts"
import {
  type HubSpotSimulatorHandle,
  type HubSpotSimulatorOptions,
  startHubSpotSimulator,
} from "../../../src/simulators/hubspot/HubSpotSimulator.ts"
import { ProviderClientsTest } from "../../support/providerClients.ts"
import { accountOn, readAccountToEnd } from "../../support/readAccountToEnd.ts"
import { eventually } from "../../support/testClock.ts"

// The three streams (login_history, security_activity and, where the account turns it on, audit_logs) through the
// shared page loop, against the simulated portal over loopback HTTP. The TestClock drives both sides, so the 30 s
// settle window and the rate-limit waits are stepped over. The simulator lists login and security
// newest first, so the adapter's own sorting is exercised; the audit log oldest first, as HubSpot documents.

const NOW = Date.parse("2026-03-02T12:00:00Z")
const SETTLE_MS = 30_000
const LOGIN = "/account-info/v3/activity/login"
const SECURITY = "/account-info/v3/activity/security"
const AUDIT = "/account-info/v3/activity/audit-logs"

const simulator = (historySize: number, options: HubSpotSimulatorOptions = {}) =>
  startHubSpotSimulator({ seed: 11, historySize, requestsPerInterval: 100_000, ...options })

/**
 * The refresh-token form by default (through the simulator's token endpoint); the simulator's settings (the
 * audit log on, on an Enterprise portal) unless given.
 */
const accountOf = (
  sim: HubSpotSimulatorHandle,
  credentials: Record<string, string> = sim.credentials,
  settings: Record<string, string> = sim.settings,
) => accountOn(hubspot, sim, { credentials, settings })

const readToEnd = (
  account: IntegratedAccount,
  filters: ActivityFilters,
  limit: number,
  from: StreamPositions = {},
) => readAccountToEnd(hubspot, account, filters, limit, from)

const requestsTo = (sim: HubSpotSimulatorHandle, path: string) =>
  sim.requests().filter((r) => r.path === path)
const param = (request: { params: ReadonlyArray<readonly [string, string]> }, name: string) =>
  request.params.filter(([key]) => key === name).map(([, value]) => value)
const timeOf = (r: Readonly<Record<string, unknown>>) =>
  Date.parse(String(r.loginAt ?? r.createdAt ?? r.occurredAt))
const userOf = (r: Readonly<Record<string, unknown>>) =>
  r.userId ?? (r.actingUser as { userId?: number } | undefined)?.userId
const everything = (sim: HubSpotSimulatorHandle) => [
  ...sim.logins(),
  ...sim.securityActions(),
  ...sim.auditEvents(),
]
const auditLogin = (r: Readonly<Record<string, unknown>>) =>
  r.category === "LOGIN" && r.subCategory === "LOGIN_SUCCEEDED"
const settledIds = (records: ReadonlyArray<Readonly<Record<string, unknown>>>, before: number) =>
  records
    .filter((r) => timeOf(r) < before)
    .map((r) => String(r.id))
    .sort()

/** Runs `read` to its end, moving the TestClock a second at a time while it waits on a rate limit. */
const drive = <A, E, R>(read: Effect.Effect<A, E, R>) =>
  Effect.gen(function* () {
    const reading = yield* Effect.fork(read)
    yield* eventually(() => reading.unsafePoll() !== null, "the read", TestClock.adjust("1 second"))
    return yield* Fiber.join(reading)
  })

describe("hubspot streams through the simulator, over real HTTP", () => {
  it.scoped(
    "the three streams page to the end with after, each record once, sorted, up to now − settle",
    () =>
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
        const audit = byStream("audit_logs")
        expect(logins.map((a) => a.id).sort()).toEqual(settledIds(sim.logins(), NOW - SETTLE_MS))
        expect(security.map((a) => a.id).sort()).toEqual(settledIds(sim.securityActions(), NOW - SETTLE_MS))
        expect(audit.map((a) => a.id).sort()).toEqual(settledIds(sim.auditEvents(), NOW - SETTLE_MS))
        for (const activities of [logins, security, audit]) {
          expect(new Set(activities.map((a) => a.id)).size).toBe(activities.length)
          const times = activities.map((a) => Date.parse(a.created_at))
          expect(times.every((t, i) => i === 0 || (times[i - 1] ?? 0) <= t)).toBe(true)
        }
        // Failed logins are among them, mapped as such.
        expect(logins.some((a) => a.action === "login_failed")).toBe(true)
        expect(logins.some((a) => a.action === "login")).toBe(true)
        // The audit log's mapped actions: logins, create/updated/destroy, PERFORM kept raw.
        expect(new Set(audit.map((a) => a.action))).toEqual(
          new Set(["login", "create", "updated", "destroy", "PERFORM"]),
        )
        for (const path of [LOGIN, SECURITY, AUDIT]) {
          const requests = requestsTo(sim, path)
          expect(requests.filter((r) => param(r, "after").length > 0).length).toBeGreaterThanOrEqual(2)
          for (const request of requests) {
            // HubSpot's largest page whatever the read's limit (the audit log's maximum is not stated: 100).
            expect(param(request, "limit")).toEqual([path === AUDIT ? "100" : "200"])
            expect(request.authScheme).toBe("Bearer")
            expect(request.status).toBe(200)
          }
        }
        for (const request of requestsTo(sim, AUDIT)) expect(param(request, "sort")).toEqual(["occurredAt"])
        // The refresh token went to the token endpoint, once.
        expect(sim.requests().filter((r) => r.path === "/oauth/v1/token")).toHaveLength(1)
        const first = read.pages[0]?.records[0]
        expect(first === undefined ? undefined : Either.getOrThrow(first.mapped).remote_data).toBe(first?.raw)
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("a private-app access token is sent as Bearer, with no token request", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* simulator(20)
      const read = yield* readToEnd(accountOf(sim, { access_token: sim.accessToken }), {}, 100)
      expect(read.activities.length).toBe(settledIds(everything(sim), NOW - SETTLE_MS).length)
      expect(sim.requests().filter((r) => r.path === "/oauth/v1/token")).toEqual([])
    }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped(
    "actor_id reaches the lists as userId / actingUserId; created_at as fromTimestamp / occurredAfter; action=login asks login history and the audit log",
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
        const [audit] = requestsTo(sim, AUDIT)
        expect(audit && param(audit, "actingUserId")).toEqual([String(actor)])
        // Inclusiveness undocumented (the simulator takes both bounds as exclusive): a millisecond before.
        expect(audit && param(audit, "occurredAfter")).toEqual([
          new Date(Date.parse(createdAt) - 1).toISOString(),
        ])
        expect(audit && param(audit, "occurredBefore")).toEqual([new Date(NOW - SETTLE_MS).toISOString()])
        expect(audit && param(audit, "userId")).toEqual([])
        expect(login && param(login, "userId")).toEqual([String(actor)])
        expect(login && param(login, "fromTimestamp")).toEqual([])
        expect(security && param(security, "userId")).toEqual([String(actor)])
        expect(security && param(security, "fromTimestamp")).toEqual([String(Date.parse(createdAt))])
        expect(security && param(security, "toTimestamp")).toEqual([String(NOW - SETTLE_MS - 1)])
        const expected = everything(sim)
          .filter(
            (r) => userOf(r) === actor && timeOf(r) >= Date.parse(createdAt) && timeOf(r) < NOW - SETTLE_MS,
          )
          .map((r) => String(r.id))
          .sort()
        expect(read.activities.map((a) => a.id).sort()).toEqual(expected)
        expect(expected.length).toBeGreaterThan(0)
        expect(read.pages.flatMap((p) => p.records).some((r) => r.stream === "audit_logs")).toBe(true)

        const before = requestsTo(sim, SECURITY).length
        const logins = yield* readToEnd(accountOf(sim), { action: "login" }, 100)
        expect(requestsTo(sim, SECURITY).length).toBe(before)
        expect(logins.activities.map((a) => a.id).sort()).toEqual(
          [...sim.logins().filter((r) => r.loginSucceeded === true), ...sim.auditEvents().filter(auditLogin)]
            .filter((r) => timeOf(r) < NOW - SETTLE_MS)
            .map((r) => String(r.id))
            .sort(),
        )
        expect(logins.pages.flatMap((p) => p.records).some((r) => r.stream === "audit_logs")).toBe(true)
        // A HubSpot user id is an integer: anything else matches nothing, without a request.
        const count = sim.requests().length
        const none = yield* readToEnd(accountOf(sim), { actor_id: "mark.scout@acme.example" }, 100)
        expect(none.activities).toEqual([])
        expect(sim.requests().length).toBe(count)
      }).pipe(Effect.provide(ProviderClientsTest)),
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
          ...Array.from({ length: 4 }, () => String(sim.injectAudit({}, boundary).id)),
        ]
        yield* TestClock.adjust(SETTLE_MS + 10_000)
        // Pages of two split the records of one instant across reads: the boundary ids carry the split.
        const tail = yield* readToEnd(account, {}, 2, caughtUp.positions)
        // Records HubSpot lists late, at the very instant the streams have passed.
        const late = [
          String(sim.injectLogin({}, boundary).id),
          String(sim.injectSecurity({}, boundary).id),
          String(sim.injectAudit({}, boundary).id),
        ]
        const again = yield* readToEnd(account, {}, 2, tail.positions)
        const tailIds = [...tail.activities, ...again.activities].map((a) => a.id)
        // Ids are per list (HubSpot numbers each on its own), so count by stream and id.
        const keys = [...tail.pages, ...again.pages].flatMap((p) =>
          p.records.flatMap((r) => (Either.isRight(r.mapped) ? [`${r.stream}:${r.mapped.right.id}`] : [])),
        )
        expect(new Set(keys).size).toBe(keys.length)
        for (const id of [...burst, ...late]) expect(tailIds).toContain(id)
        const all = everything(sim)
        // The history's own records inside the settle window at catch-up arrive in the tail as well.
        expect([...tailIds].sort()).toEqual(settledIds(all, NOW + 10_000).filter((id) => !seen.has(id)))
        const idle = yield* readToEnd(account, {}, 2, again.positions)
        expect(idle.activities).toEqual([])
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("X-HubSpot-RateLimit-Remaining at 0 is waited out before the next request: never a 429", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      // Three: the three streams' first requests go out at once, before any answer has told the quota.
      const sim = yield* simulator(1_000, { intervalMs: 1_000, requestsPerInterval: 3 })
      yield* TestClock.adjust(SETTLE_MS + 1_000)
      const read = yield* drive(readToEnd(accountOf(sim, { access_token: sim.accessToken }), {}, 2_000))
      const api = sim.requests().filter((r) => r.path !== "/oauth/v1/token")
      expect(api.length).toBeGreaterThanOrEqual(5)
      expect(api.every((r) => r.status === 200)).toBe(true)
      expect(read.activities.length).toBe(settledIds(everything(sim), NOW + 1_000).length)
    }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("without settings.audit_logs (or with false) the audit log is never asked", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* simulator(60)
      for (const settings of [
        { token_url: sim.settings.token_url },
        { ...sim.settings, audit_logs: "false" },
      ]) {
        const read = yield* readToEnd(accountOf(sim, sim.credentials, settings), {}, 100)
        expect(read.activities.map((a) => a.id).sort()).toEqual(
          settledIds([...sim.logins(), ...sim.securityActions()], NOW - SETTLE_MS),
        )
        expect(Object.keys(read.positions).sort()).toEqual(["login_history", "security_activity"])
        // action=login would ask it too, were it on.
        yield* readToEnd(accountOf(sim, sim.credentials, settings), { action: "login" }, 100)
      }
      expect(requestsTo(sim, AUDIT)).toEqual([])
      expect(requestsTo(sim, LOGIN).length).toBeGreaterThan(0)
    }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped(
    "a portal below Enterprise answers the audit log 403: the error says so, and how to turn it off",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(NOW)
        const sim = yield* simulator(20, { enterprise: false })
        expect(sim.settings).not.toHaveProperty("audit_logs")
        const account = accountOf(
          sim,
          { access_token: sim.accessToken },
          { ...sim.settings, audit_logs: "true" },
        )
        const error = yield* Effect.flip(readToEnd(account, {}, 100))
        expect(error).toMatchObject({ _tag: "ProviderUnauthorized", status: 403 })
        expect(error.message).toContain("needs an Enterprise account")
        expect(error.message).toContain("settings.audit_logs: false")
        expect(requestsTo(sim, AUDIT).map((r) => r.status)).toEqual([403])
        // The same portal, the audit log left off: the other two read as ever.
        const read = yield* readToEnd(accountOf(sim, { access_token: sim.accessToken }), {}, 100)
        expect(read.activities.length).toBe(
          settledIds([...sim.logins(), ...sim.securityActions()], NOW - SETTLE_MS).length,
        )
        expect(requestsTo(sim, AUDIT)).toHaveLength(1)
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped("a 429 on the audit log is waited out for the interval, then it reads on", () =>
    Effect.gen(function* () {
      yield* TestClock.setTime(NOW)
      const sim = yield* simulator(40)
      yield* TestClock.adjust(SETTLE_MS + 1_000)
      // The three streams ask at once: each one's first request is refused.
      sim.forceRateLimited(3)
      const read = yield* drive(readToEnd(accountOf(sim, { access_token: sim.accessToken }), {}, 100))
      const [refused, accepted] = requestsTo(sim, AUDIT)
      expect([refused?.status, accepted?.status]).toEqual([429, 200])
      // HubSpot's ten-second rolling window, on the simulator's clock (the TestClock).
      expect((accepted?.receivedAt ?? 0) - (refused?.receivedAt ?? 0)).toBeGreaterThanOrEqual(10_000)
      const audit = read.pages.flatMap((p) =>
        p.records.flatMap((r) =>
          r.stream === "audit_logs" && Either.isRight(r.mapped) ? [r.mapped.right.id] : [],
        ),
      )
      expect(audit.sort()).toEqual(settledIds(sim.auditEvents(), NOW + 1_000))
    }).pipe(Effect.provide(ProviderClientsTest)),
  )
})
