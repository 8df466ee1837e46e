import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema, TestClock } from "effect"
import { activityLogKey, operationLogKey } from "../../../src/providers/zoom/recordId.ts"
import { activityLogToActivity, operationLogToActivity } from "../../../src/providers/zoom/toActivity.ts"
import { ZoomActivityLog } from "../../../src/providers/zoom/ZoomActivityLog.ts"
import { PAGE_TOKEN_REJECTED } from "../../../src/providers/zoom/ZoomError.ts"
import { ZoomOperationLog } from "../../../src/providers/zoom/ZoomOperationLog.ts"
import {
  startZoomSimulator,
  type ZoomSimulatorHandle,
  type ZoomSimulatorOptions,
} from "../../../src/simulators/zoom/ZoomSimulator.ts"
import { zoomAccount } from "../../providers/zoom/zoomFixtures.ts"
import { advance, planWindows } from "../../providers/zoom/zoomWindows.ts"

// The simulator on its own, spoken to with plain fetch over loopback: the protocol facts an adapter relies on.

const NOW = Date.parse("2026-03-15T12:00:00Z")
const TODAY = "2026-03-15"
const ACTIVITIES = "/v2/report/activities"
const OPERATION_LOGS = "/v2/report/operationlogs"

interface Answer {
  readonly status: number
  readonly headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are inspected field by field in assertions.
  readonly body: any
}

/**
 * Starts the simulator at NOW on the test clock, so token lifetimes and page-token expiry can be driven. The
 * clock stands still between requests, so the per-second limit is lifted unless a test is about it.
 */
const simulator = (options: ZoomSimulatorOptions = {}) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW)
    return yield* startZoomSimulator({ seed: 3, requestsPerSecond: 10_000, ...options })
  })

const fetchToken = (sim: ZoomSimulatorHandle, clientSecret = sim.credentials.client_secret) =>
  Effect.promise(async () => {
    const basic = Buffer.from(`${sim.credentials.client_id}:${clientSecret}`).toString("base64")
    const res = await fetch(sim.tokenUrl, {
      method: "POST",
      headers: { authorization: `Basic ${basic}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "account_credentials",
        account_id: sim.credentials.account_id,
      }),
    })
    return { status: res.status, body: (await res.json()) as { access_token?: string; expires_in?: number } }
  })

const get = (
  sim: ZoomSimulatorHandle,
  path: string,
  params: Record<string, string>,
  authorization: string | undefined,
  method = "GET",
): Effect.Effect<Answer> =>
  Effect.promise(async () => {
    const url = `${sim.baseUrl}${path}?${new URLSearchParams(params)}`
    const res = await fetch(url, { method, headers: authorization ? { authorization } : {} })
    return { status: res.status, headers: res.headers, body: await res.json() }
  })

/** A Bearer header with a freshly issued token. */
const bearer = (sim: ZoomSimulatorHandle) =>
  Effect.map(fetchToken(sim), ({ body }) => `Bearer ${body.access_token}`)

/** Follows `next_page_token` with the same query until Zoom says there is no next page. */
const readWindow = (
  sim: ZoomSimulatorHandle,
  path: string,
  params: Record<string, string>,
  authorization: string,
) =>
  Effect.gen(function* () {
    const pages: Array<Answer> = []
    let token = ""
    do {
      const page = yield* get(
        sim,
        path,
        token ? { ...params, next_page_token: token } : params,
        authorization,
      )
      expect(page.status, JSON.stringify(page.body)).toBe(200)
      pages.push(page)
      token = page.body.next_page_token
    } while (token !== "" && pages.length < 1000)
    const key = path === ACTIVITIES ? "activity_logs" : "operation_logs"
    return { pages, rows: pages.flatMap((page) => page.body[key] as ReadonlyArray<unknown>) }
  })

const timeOf = (row: unknown) => (row as { time: string }).time

describe("ZoomSimulator: Server-to-Server OAuth in front of the reports", () => {
  it.scoped("reports need a Bearer token from its token endpoint: anything else is Zoom's 401 code 124", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 5 })
      expect(sim.settings).toEqual({ token_url: `${sim.baseUrl}/oauth/token` })
      const params = { from: TODAY, to: TODAY }
      const refused = { code: 124, message: "Invalid access token." }
      expect(yield* get(sim, ACTIVITIES, params, undefined)).toMatchObject({ status: 401, body: refused })
      expect(yield* get(sim, ACTIVITIES, params, "Bearer not-issued")).toMatchObject({
        status: 401,
        body: refused,
      })
      const basic = `Basic ${Buffer.from(`${sim.credentials.client_id}:${sim.credentials.client_secret}`).toString("base64")}`
      expect((yield* get(sim, ACTIVITIES, params, basic)).status).toBe(401)
      expect((yield* fetchToken(sim, "wrong-secret")).status).toBe(401)

      const token = yield* fetchToken(sim)
      expect(token).toMatchObject({ status: 200, body: { expires_in: 3599, token_type: "bearer" } })
      const authorization = `Bearer ${token.body.access_token}`
      expect((yield* get(sim, ACTIVITIES, params, authorization)).status).toBe(200)
      expect((yield* get(sim, OPERATION_LOGS, params, authorization)).status).toBe(200)

      // A token lasts 3599 s on the simulator's clock.
      yield* TestClock.adjust("3598 seconds")
      expect((yield* get(sim, ACTIVITIES, params, authorization)).status).toBe(200)
      yield* TestClock.adjust("1 second")
      expect((yield* get(sim, ACTIVITIES, params, authorization)).status).toBe(401)

      const fresh = yield* bearer(sim)
      sim.revokeTokens()
      expect((yield* get(sim, ACTIVITIES, params, fresh)).status).toBe(401)

      const log = JSON.stringify(sim.requests())
      for (const secret of [sim.credentials.client_secret, token.body.access_token ?? "?"])
        expect(log).not.toContain(secret)
      expect(sim.requests().map((r) => [r.path, r.authScheme, r.status])).toContainEqual([
        ACTIVITIES,
        "Bearer",
        401,
      ])
    }),
  )

  it.scoped("unknown paths are 404 and other methods 405, in Zoom's body", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 0 })
      const authorization = yield* bearer(sim)
      expect(yield* get(sim, "/v2/report/unknown", {}, authorization)).toMatchObject({
        status: 404,
        body: { code: 404 },
      })
      expect((yield* get(sim, ACTIVITIES, {}, authorization, "POST")).status).toBe(405)
    }),
  )
})

describe("ZoomSimulator: paging within one window", () => {
  it.scoped(
    "pages to the end with the same from/to: every row once, newest first, the range echoed as Zoom does",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 240, historySpanMs: 6 * 3_600_000 })
        const authorization = yield* bearer(sim)
        const params = { from: "2026-03-14", to: TODAY, page_size: "17" }
        const { pages, rows } = yield* readWindow(sim, ACTIVITIES, params, authorization)

        // History is filed oldest first; Zoom's examples list newest first, later-filed first within a second.
        expect(rows).toEqual([...sim.activityLogs()].reverse())
        expect(rows.length).toBeGreaterThan(150)
        expect(pages.length).toBe(Math.ceil(rows.length / 17))
        for (const page of pages.slice(0, -1)) expect(page.body.activity_logs).toHaveLength(17)
        expect(pages[0]?.body).toMatchObject({
          from: "2026-03-14T00:00:00Z",
          to: "2026-03-15T00:00:00Z",
          page_size: 17,
        })
        expect(pages.at(-1)?.body.next_page_token).toBe("")
        // Several rows share a second, and sign-ins and sign-outs are all there is: Zoom records no failures.
        expect(new Set(rows.map(timeOf)).size).toBeLessThan(rows.length)
        expect(new Set(rows.map((r) => (r as { type: string }).type))).toEqual(
          new Set(["Sign in", "Sign out"]),
        )

        const ops = yield* readWindow(sim, OPERATION_LOGS, { from: "2026-03-14", to: TODAY }, authorization)
        expect(ops.rows).toHaveLength(sim.operationLogs().length)
        expect(ops.pages[0]?.body).toMatchObject({ from: "2026-03-14", to: TODAY, page_size: 30 })
      }),
  )

  it.scoped("every generated row decodes and maps; advance over the drained window publishes each once", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 300 })
      const authorization = yield* bearer(sim)
      const plan = planWindows({}, NOW)
      let activities = 0
      let operations = 0
      for (const [path, keyOf] of [
        [ACTIVITIES, activityLogKey],
        [OPERATION_LOGS, operationLogKey],
      ] as const) {
        const rows: Array<unknown> = []
        for (const window of plan.windows) {
          const query = { from: window.from, to: window.to, page_size: String(plan.pageSize) }
          rows.push(...(yield* readWindow(sim, path, query, authorization)).rows)
        }
        const { fresh, unplaced } = advance({}, rows, keyOf)
        expect(unplaced).toEqual([])
        expect(fresh.length).toBe(new Set(rows.map((row) => keyOf(row)?.id)).size)
        for (const raw of fresh) {
          if (path === ACTIVITIES) {
            const row = Schema.decodeUnknownSync(ZoomActivityLog)(raw)
            expect(Either.isRight(activityLogToActivity(row, zoomAccount))).toBe(true)
            activities++
          } else {
            const row = Schema.decodeUnknownSync(ZoomOperationLog)(raw)
            expect(Either.isRight(operationLogToActivity(row, zoomAccount))).toBe(true)
            operations++
          }
        }
      }
      expect(activities + operations).toBeGreaterThan(250)
      expect(operations).toBeGreaterThan(20)
      const actions = sim
        .operationLogs()
        .map((raw) =>
          Either.getOrThrow(
            operationLogToActivity(Schema.decodeUnknownSync(ZoomOperationLog)(raw), zoomAccount),
          ),
        )
        .map((activity) => activity.action)
      for (const action of ["user_created", "user_deactivated", "user_deleted", "updated", "Batch Update"])
        expect(actions).toContain(action)
    }),
  )

  it.scoped(
    "a paging run sees the rows of its first page's time; rows emitted meanwhile come in the next run",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 60, historySpanMs: 3_600_000 })
        const authorization = yield* bearer(sim)
        const params = { from: TODAY, to: TODAY, page_size: "10" }
        const before = sim.activityLogs().length
        const first = yield* get(sim, ACTIVITIES, params, authorization)
        sim.emit(25)
        const emitted = sim.events().length - before - sim.operationLogs().length
        expect(emitted).toBeGreaterThan(0)
        // Emitted rows share the current second.
        expect(new Set(sim.activityLogs().slice(before).map(timeOf))).toEqual(
          new Set(["2026-03-15T12:00:00Z"]),
        )
        let rows = [...first.body.activity_logs]
        let token: string = first.body.next_page_token
        while (token !== "") {
          const page = yield* get(sim, ACTIVITIES, { ...params, next_page_token: token }, authorization)
          rows = [...rows, ...page.body.activity_logs]
          token = page.body.next_page_token
        }
        expect(rows).toHaveLength(before)
        const again = yield* readWindow(sim, ACTIVITIES, params, authorization)
        expect(again.rows).toHaveLength(sim.activityLogs().length)
      }),
  )

  it.scoped(
    "a page token is bound to its query and dies after 15 minutes, with Zoom's documented answer",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 120, historySpanMs: 3_600_000 })
        const authorization = yield* bearer(sim)
        const params = { from: TODAY, to: TODAY, page_size: "10" }
        const rejected = { status: 400, body: { code: 300, message: PAGE_TOKEN_REJECTED } }

        const first = yield* get(sim, ACTIVITIES, params, authorization)
        const token: string = first.body.next_page_token
        expect(token).not.toBe("")
        for (const other of [
          { ...params, from: "2026-03-14" },
          { ...params, to: "2026-03-16" },
          { ...params, next_page_token: "not-a-token" },
        ]) {
          expect(
            yield* get(sim, ACTIVITIES, { next_page_token: token, ...other }, authorization),
          ).toMatchObject(rejected)
        }
        // Another report's query with this report's token.
        expect(
          yield* get(sim, OPERATION_LOGS, { ...params, next_page_token: token }, authorization),
        ).toMatchObject(rejected)
        // Zoom: "using the same query parameters", page size included.
        expect(
          yield* get(sim, ACTIVITIES, { ...params, page_size: "5", next_page_token: token }, authorization),
        ).toMatchObject(rejected)

        yield* TestClock.adjust("15 minutes")
        const second = yield* get(sim, ACTIVITIES, { ...params, next_page_token: token }, authorization)
        expect(second.status).toBe(200)
        expect(second.body.activity_logs).toHaveLength(10)
        for (const row of second.body.activity_logs) expect(first.body.activity_logs).not.toContainEqual(row)
        yield* TestClock.adjust("15 minutes")
        yield* TestClock.adjust("1 second")
        expect(
          yield* get(
            sim,
            ACTIVITIES,
            { ...params, next_page_token: second.body.next_page_token },
            authorization,
          ),
        ).toMatchObject(rejected)
        // The bearer token (3599 s) is still good: it is the page token that expired.
        expect((yield* get(sim, ACTIVITIES, params, authorization)).status).toBe(200)
      }),
  )
})

describe("ZoomSimulator: date windows", () => {
  it.scoped("refuses ranges over a month, beyond six months, reversed, or malformed, with code 300", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 0 })
      const authorization = yield* bearer(sim)
      const cases: ReadonlyArray<readonly [string, Record<string, string>]> = [
        [ACTIVITIES, { from: "2026-02-13", to: TODAY }],
        [OPERATION_LOGS, { from: "2026-01-01", to: "2026-03-01" }],
        [ACTIVITIES, { from: "2025-09-14", to: "2025-10-01" }],
        [ACTIVITIES, { from: TODAY, to: "2026-03-14" }],
        [ACTIVITIES, { from: "2026-02-30", to: TODAY }],
        [ACTIVITIES, { from: "15/03/2026", to: TODAY }],
        [ACTIVITIES, { from: TODAY, to: TODAY, page_size: "301" }],
        [ACTIVITIES, { from: TODAY, to: TODAY, page_size: "0" }],
        [OPERATION_LOGS, { to: TODAY }],
        [OPERATION_LOGS, { from: TODAY }],
        [OPERATION_LOGS, { from: TODAY, to: TODAY, category_type: "meetings" }],
      ]
      for (const [path, params] of cases) {
        const answer = yield* get(sim, path, params, authorization)
        expect([path, params, answer.status, answer.body.code]).toEqual([path, params, 400, 300])
      }
      const sixMonths = yield* get(sim, ACTIVITIES, { from: "2025-09-14", to: "2025-10-01" }, authorization)
      expect(sixMonths.body.message).toBe("Only provide report in recent 6 months")
      const field = yield* get(sim, ACTIVITIES, { from: TODAY, to: TODAY, page_size: "301" }, authorization)
      expect(field.body).toEqual({
        code: 300,
        message: "Validation Failed.",
        errors: [{ field: "page_size", message: "Invalid field." }],
      })
    }),
  )

  it.scoped(
    "accepts a whole month (Zoom's own example range), date-times for days, and every window the planner makes",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 0 })
        const authorization = yield* bearer(sim)
        for (const params of [
          { from: "2026-02-15", to: TODAY },
          { from: "2025-09-15", to: "2025-10-15" },
          { from: "2026-03-01T00:00:00Z", to: "2026-03-15T23:59:59Z" },
          {},
        ]) {
          const answer = yield* get(sim, ACTIVITIES, params, authorization)
          expect([params, answer.status]).toEqual([params, 200])
        }
        for (const window of planWindows({}, NOW).windows) {
          for (const path of [ACTIVITIES, OPERATION_LOGS]) {
            const answer = yield* get(sim, path, { ...window, page_size: "300" }, authorization)
            expect([path, window, answer.status]).toEqual([path, window, 200])
          }
        }
      }),
  )

  it.scoped("operation logs filter by category_type", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 400 })
      const authorization = yield* bearer(sim)
      const categories = (category_type: string) =>
        Effect.map(
          readWindow(sim, OPERATION_LOGS, { from: "2026-03-10", to: TODAY, category_type }, authorization),
          ({ rows }) => rows.map((row) => (row as { category_type: string }).category_type),
        )
      const all = yield* categories("all")
      const user = yield* categories("user")
      const account = yield* categories("account")
      expect(new Set(user)).toEqual(new Set(["User"]))
      expect(new Set(account)).toEqual(new Set(["Account"]))
      expect(user.length + account.length).toBe(all.length)
      expect(yield* categories("role")).toEqual([])
    }),
  )
})

describe("ZoomSimulator: rate limits", () => {
  it.scoped(
    "every report answer carries Zoom's headers; past the per-second limit a 429 QPS without Retry-After",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 0, requestsPerSecond: 3, requestsPerDay: 1000 })
        const authorization = yield* bearer(sim)
        const params = { from: TODAY, to: TODAY }
        const answers = []
        for (let i = 0; i < 4; i++) answers.push(yield* get(sim, ACTIVITIES, params, authorization))
        expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 429])
        expect(
          Object.fromEntries(
            [...(answers[0]?.headers ?? [])].filter(([name]) => name.startsWith("x-ratelimit")),
          ),
        ).toEqual({
          "x-ratelimit-category": "Heavy",
          "x-ratelimit-type": "Daily-limit",
          "x-ratelimit-limit": "1000",
          "x-ratelimit-remaining": "999",
        })
        expect(answers[2]?.headers.get("x-ratelimit-remaining")).toBe("997")
        const refused = answers[3] as Answer
        expect(refused.body).toEqual({
          code: 429,
          message: "You have reached the maximum per-second rate limit for this API. Try again later.",
        })
        expect(refused.headers.get("x-ratelimit-type")).toBe("QPS")
        expect(refused.headers.get("x-ratelimit-remaining")).toBe("0")
        expect(refused.headers.get("retry-after")).toBeNull()
        // The next second is a new budget.
        yield* TestClock.adjust("1 second")
        expect((yield* get(sim, ACTIVITIES, params, authorization)).status).toBe(200)
        expect(
          sim
            .requests()
            .filter((r) => r.path === ACTIVITIES)
            .map((r) => r.rateLimit?.type),
        ).toEqual(["Daily-limit", "Daily-limit", "Daily-limit", "QPS", "Daily-limit"])
      }),
  )

  it.scoped("past the daily cap a 429 whose Retry-After is the next 00:00 UTC as a date-time", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 0, requestsPerDay: 2 })
      const authorization = yield* bearer(sim)
      const params = { from: TODAY, to: TODAY }
      yield* get(sim, ACTIVITIES, params, authorization)
      yield* TestClock.adjust("1 second")
      yield* get(sim, OPERATION_LOGS, params, authorization)
      yield* TestClock.adjust("1 second")
      const refused = yield* get(sim, ACTIVITIES, params, authorization)
      expect(refused.status).toBe(429)
      expect(refused.body.message).toContain("daily rate limit (2)")
      expect(refused.headers.get("x-ratelimit-type")).toBe("Daily-limit")
      expect(refused.headers.get("x-ratelimit-remaining")).toBe("0")
      expect(refused.headers.get("retry-after")).toBe("2026-03-16T00:00:00Z")
      // A new day, a new budget (and, twelve hours on, a new access token).
      yield* TestClock.setTime(Date.parse("2026-03-16T00:00:00Z"))
      const tomorrow = yield* bearer(sim)
      expect((yield* get(sim, ACTIVITIES, params, tomorrow)).status).toBe(200)

      // Forced now, met half an hour later: the reset is still midnight.
      sim.forceRateLimited(1, "daily")
      yield* TestClock.adjust("30 minutes")
      const forced = yield* get(sim, ACTIVITIES, params, tomorrow)
      expect([forced.status, forced.headers.get("retry-after")]).toEqual([429, "2026-03-17T00:00:00Z"])
      sim.forceRateLimited(1)
      yield* TestClock.adjust("1 second")
      const perSecond = yield* get(sim, ACTIVITIES, params, tomorrow)
      expect([perSecond.status, perSecond.headers.get("x-ratelimit-type")]).toEqual([429, "QPS"])
    }),
  )
})

describe("ZoomSimulator: rows over time", () => {
  it.scoped(
    "emit appends rows in the current second; inject files a late row; injectMalformed serves a broken one",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 10 })
        yield* TestClock.adjust("1 hour")
        const authorization = yield* bearer(sim)
        const before = sim.events().length
        sim.emit(12)
        const emitted = sim.events().length - before
        expect(emitted).toBe(12)

        const late = {
          email: "late@example.com",
          time: "2026-03-15T11:00:00Z",
          type: "Sign in",
          ip_address: "192.0.2.9",
        }
        sim.inject("activities", late, Date.parse(late.time))
        const noEmail = sim.injectMalformed("activities", "missing-actor")
        const badTime = sim.injectMalformed("operation_logs", "bad-time")
        expect(noEmail).not.toHaveProperty("email")
        expect(badTime).toMatchObject({ time: "not a date" })

        const { rows } = yield* readWindow(
          sim,
          ACTIVITIES,
          { from: TODAY, to: TODAY, page_size: "300" },
          authorization,
        )
        expect(rows).toContainEqual(late)
        expect(rows).toContainEqual(noEmail)
        expect(rows.filter((row) => timeOf(row) === "2026-03-15T13:00:00Z").length).toBeGreaterThan(1)
        const ops = yield* readWindow(sim, OPERATION_LOGS, { from: TODAY, to: TODAY }, authorization)
        expect(ops.rows).toContainEqual(badTime)
        expect(Either.isLeft(Schema.decodeUnknownEither(ZoomActivityLog)(noEmail))).toBe(true)
      }),
  )
})
