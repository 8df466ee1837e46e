import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Either, TestClock } from "effect"
import { activities } from "../../../src/providers/zoom/streams/activities.ts"
import { REPORT_SETTLE } from "../../../src/providers/zoom/streams/reports.ts"
import { ProviderClientsTest } from "../../support/providerClients.ts"
import { accountFor, emitAt, expectedIds, readToEnd, reportRequests, simulator } from "./zoomTestKit.ts"

const DAY_MS = 24 * 60 * 60 * 1000
/** An instant `ms` before the newest a read reaches now: rows at it are listed and read by the next poll. */
const settledAgo = (ms: number) => Date.now() - Duration.toMillis(REPORT_SETTLE) - ms
const sortedIds = (activities: ReadonlyArray<{ id: string }>) => activities.map((a) => a.id).sort()
const inOrder = (activities: ReadonlyArray<{ created_at: string }>) =>
  activities.every(
    (a, i) => i === 0 || Date.parse(activities[i - 1]?.created_at ?? "") <= Date.parse(a.created_at),
  )

describe("zoom reports through the simulator, over real HTTP", () => {
  it.scopedLive(
    "pages both streams to the end, several token pages per window, oldest first, each row once",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator(100)
        const account = accountFor(sim)
        const read = yield* readToEnd(account, {}, 40)

        const expected = [
          ...expectedIds(sim, account, "activities"),
          ...expectedIds(sim, account, "operation_logs"),
        ]
        expect(read.activities).toHaveLength(expected.length)
        expect(sortedIds(read.activities)).toEqual(sortedIds(expected))
        expect(new Set(read.activities.map((a) => a.id)).size).toBe(expected.length)
        // Both streams interleave by created_at.
        expect(inOrder(read.activities)).toBe(true)
        // The activities report took several pages, each token sent with the same window.
        const tokened = sim
          .requests()
          .filter((r) => r.path === "/v2/report/activities" && r.params.next_page_token)
        expect(tokened.length).toBeGreaterThanOrEqual(2)
        for (const request of tokened) {
          expect(request.params.from).toMatch(/^\d{4}-\d{2}-\d{2}$/)
          expect(request.params.page_size).toBe("40")
        }
        // Descriptions per the spec's output matrix: the sign-in type; the trimmed operation detail.
        for (const activity of read.activities)
          expect(activity.description?.trim()).toBe(activity.description)
        const signIn = read.activities.find((a) => a.action === "login")
        expect(signIn?.description).toBe("Sign in")
        expect(signIn?.actor?.user?.id).toMatch(/@example\.com$/)
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scopedLive(
    "created_at reaches Zoom as from/to days and is applied exactly; action=login asks only the activities report",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator(60)
        const account = accountFor(sim)
        const createdAt = new Date(Date.now() - 3 * 60 * 60 * 1000).toISOString()
        const read = yield* readToEnd(account, { created_at: createdAt }, 1000)
        const first = reportRequests(sim)[0]
        expect(first?.params.from).toBe(createdAt.slice(0, 10))
        // The window ends where the settle window begins: just after midnight UTC, that is still yesterday.
        expect(first?.params.to).toBe(
          new Date(Date.now() - Duration.toMillis(REPORT_SETTLE)).toISOString().slice(0, 10),
        )
        const wanted = [
          ...expectedIds(sim, account, "activities"),
          ...expectedIds(sim, account, "operation_logs"),
        ].filter((a) => Date.parse(a.created_at) >= Date.parse(createdAt))
        expect(sortedIds(read.activities)).toEqual(sortedIds(wanted))

        const before = reportRequests(sim).length
        const logins = yield* readToEnd(account, { action: "login" }, 1000)
        const asked = reportRequests(sim).slice(before)
        expect(asked.every((r) => r.path === "/v2/report/activities")).toBe(true)
        const signIns = expectedIds(sim, account, "activities").filter((a) => a.description === "Sign in")
        expect(sortedIds(logins.activities)).toEqual(sortedIds(signIns))
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scopedLive(
    "tails rows added after catching up, several sharing one second, none repeated or missed",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator(20)
        const account = accountFor(sim)
        const caughtUp = yield* readToEnd(account, {}, 100)
        const seen = new Set(caughtUp.activities.map((a) => a.id))

        const boundary = settledAgo(2_000)
        const burst = emitAt(sim, 5, boundary)
        // Pages of two split the five rows of one second across reads: the boundary ids carry the split.
        const tail = yield* readToEnd(account, {}, 2, caughtUp.positions)
        expect(tail.pages.map((p) => p.records.length).slice(0, 3)).toEqual([2, 2, 1])
        // Late rows at the very same second arrive after the stream has passed it.
        const late = emitAt(sim, 3, boundary)
        const again = yield* readToEnd(account, {}, 2, tail.positions)
        const tailIds = [...tail.activities, ...again.activities].map((a) => a.id)
        expect(new Set(tailIds).size).toBe(tailIds.length)
        for (const id of tailIds) expect(seen.has(id)).toBe(false)
        expect(tailIds).toHaveLength(new Set([...burst, ...late].map((row) => JSON.stringify(row))).size)
        // Caught up again: nothing more.
        const idle = yield* readToEnd(account, {}, 2, again.positions)
        expect(idle.activities).toEqual([])
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scoped(
    "a row Zoom lists after a newer one was read is still read: reads stop the settle window before now",
    () =>
      Effect.gen(function* () {
        yield* TestClock.setTime(Date.now())
        const sim = yield* simulator(20)
        const account = accountFor(sim)
        const caughtUp = yield* readToEnd(account, {}, 100)
        const start = yield* TestClock.currentTimeMillis
        const newer = emitAt(sim, 1, start - 60_000)
        const first = yield* readToEnd(account, {}, 100, caughtUp.positions)
        // Only now does Zoom list a row a minute older than the one above.
        const late = emitAt(sim, 1, start - 120_000)
        yield* TestClock.adjust(Duration.sum(REPORT_SETTLE, Duration.minutes(1)))
        const second = yield* readToEnd(account, {}, 100, first.positions)
        const idOf = (row: unknown) => Either.getOrThrow(activities.toActivity(row as never, account)).id
        const read = [...first.activities, ...second.activities].map((a) => a.id)
        // Oldest first, each once, the late row among them.
        expect(read).toEqual([...late, ...newer].map(idOf))
      }).pipe(Effect.provide(ProviderClientsTest)),
  )

  it.scopedLive("a created_at older than six months is read in windows within a month and six months", () =>
    Effect.gen(function* () {
      const sim = yield* simulator(5)
      const account = accountFor(sim)
      yield* readToEnd(account, { created_at: "2001-01-01T00:00:00.000Z" }, 10)
      const windows = reportRequests(sim).filter((r) => r.status === 200 && !r.params.next_page_token)
      expect(windows.length).toBeGreaterThanOrEqual(12)
      for (const { params: query } of windows) {
        const span = Date.parse(query.to ?? "") - Date.parse(query.from ?? "")
        expect(span).toBeLessThanOrEqual(30 * DAY_MS)
        expect(Date.now() - Date.parse(query.from ?? "")).toBeLessThanOrEqual(181 * DAY_MS)
      }
    }).pipe(Effect.provide(ProviderClientsTest)),
  )
})
