import { describe, expect, it } from "@effect/vitest"
import { activityLogKey, type RowKey } from "../../../src/providers/zoom/recordId.ts"
import {
  addMonths,
  advance,
  nextPageTokenOf,
  pageQuery,
  planWindows,
  positionFrom,
  type ZoomPosition,
} from "./zoomWindows.ts"

const NOW = Date.parse("2026-03-15T12:00:00Z")

describe("planWindows", () => {
  it("from nothing: the whole six months, in contiguous windows of under a month, ending today, no gap", () => {
    const plan = planWindows({}, NOW)
    expect(plan.pageSize).toBe(300)
    expect(plan.gap).toBeUndefined()
    expect(plan.windows).toEqual([
      { from: "2025-09-16", to: "2025-10-15" },
      { from: "2025-10-16", to: "2025-11-15" },
      { from: "2025-11-16", to: "2025-12-15" },
      { from: "2025-12-16", to: "2026-01-15" },
      { from: "2026-01-16", to: "2026-02-15" },
      { from: "2026-02-16", to: "2026-03-15" },
    ])
  })

  it("from a watermark: the day before its UTC day (Zoom's day boundary is undocumented) up to today", () => {
    expect(planWindows({ latest_time: "2026-03-15T08:00:00.000Z" }, NOW).windows).toEqual([
      { from: "2026-03-14", to: "2026-03-15" },
    ])
    expect(planWindows({ latest_time: "2026-03-15T08:00:00.000Z" }, NOW, { daySlack: 0 }).windows).toEqual([
      { from: "2026-03-15", to: "2026-03-15" },
    ])
    expect(planWindows({ latest_time: "2026-01-31T23:59:59.000Z" }, NOW).windows).toEqual([
      { from: "2026-01-30", to: "2026-02-27" },
      { from: "2026-02-28", to: "2026-03-15" },
    ])
    // A watermark ahead of the clock still re-reads today.
    expect(planWindows({ latest_time: "2026-03-20T00:00:00.000Z" }, NOW).windows).toEqual([
      { from: "2026-03-15", to: "2026-03-15" },
    ])
  })

  it("a watermark older than Zoom's six months is clamped, and the unreadable stretch reported as a gap", () => {
    const plan = planWindows({ latest_time: "2025-01-10T10:00:00.000Z", ids_at_latest: ["x"] }, NOW)
    expect(plan.windows[0]).toEqual({ from: "2025-09-16", to: "2025-10-15" })
    expect(plan.gap).toEqual({ from: "2025-01-10T10:00:00.000Z", to: "2025-09-16T00:00:00.000Z" })
    // Only the day of slack falls outside: nothing is lost, so no gap.
    const edge = planWindows({ latest_time: "2025-09-16T05:00:00.000Z" }, NOW)
    expect(edge.windows[0]?.from).toBe("2025-09-16")
    expect(edge.gap).toBeUndefined()
  })

  it("a start instant asks for rows at or after it", () => {
    const position = positionFrom(Date.parse("2026-03-10T06:30:00Z"))
    expect(position).toEqual({ latest_time: "2026-03-10T06:30:00.000Z", ids_at_latest: [] })
    expect(planWindows(position, NOW).windows).toEqual([{ from: "2026-03-09", to: "2026-03-15" }])
  })

  it("every window stays within what Zoom accepts, across month ends and leap years", () => {
    for (const now of ["2026-03-31T00:00:00Z", "2028-02-29T23:00:00Z", "2026-12-31T12:00:00Z"]) {
      const plan = planWindows({}, Date.parse(now))
      const today = now.slice(0, 10)
      expect(plan.windows.at(-1)?.to).toBe(today)
      expect((plan.windows[0]?.from ?? "") > addMonths(today, -6)).toBe(true)
      plan.windows.forEach((window, i) => {
        expect(window.from <= window.to).toBe(true)
        expect(window.to < addMonths(window.from, 1)).toBe(true)
        const next = plan.windows[i + 1]
        if (next) expect(Date.parse(next.from) - Date.parse(window.to)).toBe(86_400_000)
      })
    }
    expect(addMonths("2026-01-31", 1)).toBe("2026-02-28")
    expect(addMonths("2028-03-31", -1)).toBe("2028-02-29")
    expect(addMonths("2026-03-15", -6)).toBe("2025-09-15")
  })

  it("page size: 300 at most, at least 1", () => {
    expect(planWindows({}, NOW, { pageSize: 1000 }).pageSize).toBe(300)
    expect(planWindows({}, NOW, { pageSize: 30 }).pageSize).toBe(30)
    expect(planWindows({}, NOW, { pageSize: 0 }).pageSize).toBe(1)
  })

  it("the page query carries the window, the size and the previous page's token; an empty token ends", () => {
    const window = { from: "2026-03-14", to: "2026-03-15" }
    expect(pageQuery(window, 300).toString()).toBe("from=2026-03-14&to=2026-03-15&page_size=300")
    expect(pageQuery(window, 300, "tok").get("next_page_token")).toBe("tok")
    expect(nextPageTokenOf({ next_page_token: "" })).toBeUndefined()
    expect(nextPageTokenOf({})).toBeUndefined()
    expect(nextPageTokenOf({ next_page_token: "abc" })).toBe("abc")
  })
})

interface Row {
  readonly id: string
  readonly time: string
}
const row = (id: string, time: string): Row => ({ id, time })
const keyOf = (r: Row): RowKey => r
const ids = (rows: ReadonlyArray<Row>) => rows.map((r) => r.id)

const T1 = "2026-03-15T09:00:00.000Z"
const T2 = "2026-03-15T09:00:05.000Z"
const T3 = "2026-03-15T09:01:00.000Z"

describe("advance", () => {
  it("rows sharing one second across two polls: none repeated, none missed", () => {
    // Poll 1 reads the day: three rows, two of them in the same second.
    const poll1 = advance({}, [row("b", T2), row("a", T1), row("c", T2)], keyOf)
    expect(ids(poll1.fresh)).toEqual(["a", "b", "c"])
    expect(poll1.position).toEqual({ latest_time: T2, ids_at_latest: ["b", "c"] })

    // Poll 2 re-reads the day: the same rows, one more written into that same second, and a newer one.
    const day2 = [row("e", T3), row("c", T2), row("d", T2), row("b", T2), row("a", T1)]
    const poll2 = advance(poll1.position, day2, keyOf)
    expect(ids(poll2.fresh)).toEqual(["d", "e"])
    expect(poll2.position).toEqual({ latest_time: T3, ids_at_latest: ["e"] })

    // Poll 3: another row in the watermark's second; the set at the watermark grows.
    const poll3 = advance(poll2.position, [...day2, row("f", T3)], keyOf)
    expect(ids(poll3.fresh)).toEqual(["f"])
    expect(poll3.position).toEqual({ latest_time: T3, ids_at_latest: ["e", "f"] })

    // And nothing new: nothing published, position unchanged.
    const poll4 = advance(poll3.position, [...day2, row("f", T3)], keyOf)
    expect(poll4.fresh).toEqual([])
    expect(poll4.position).toBe(poll3.position)

    const published = [poll1, poll2, poll3, poll4].flatMap((poll) => ids(poll.fresh))
    expect(published.sort()).toEqual(["a", "b", "c", "d", "e", "f"])
  })

  it("sorts whatever order Zoom sends (its examples are newest first) and keeps a row seen on two pages once", () => {
    const newestFirst = [row("z", T3), row("y", T2), row("x", T2), row("y", T2), row("w", T1)]
    const result = advance({}, newestFirst, keyOf)
    expect(ids(result.fresh)).toEqual(["w", "x", "y", "z"])
    expect(result.position).toEqual({ latest_time: T3, ids_at_latest: ["z"] })
  })

  it("a late row: in the watermark's second it is published; older than the watermark it is dropped", () => {
    const position: ZoomPosition = { latest_time: T2, ids_at_latest: ["b"] }
    const lateAtWatermark = advance(position, [row("b", T2), row("late", T2)], keyOf)
    expect(ids(lateAtWatermark.fresh)).toEqual(["late"])
    expect(lateAtWatermark.position).toEqual({ latest_time: T2, ids_at_latest: ["b", "late"] })
    // Written by Zoom after the watermark passed its second: this position cannot tell it from a row
    // already published, so it is not published (a limit of the watermark; see windows.ts).
    const lateBefore = advance(position, [row("b", T2), row("older", T1)], keyOf)
    expect(lateBefore.fresh).toEqual([])
    expect(lateBefore.position).toBe(position)
  })

  it("a start instant keeps rows exactly at it", () => {
    const result = advance(positionFrom(Date.parse(T2)), [row("a", T1), row("b", T2)], keyOf)
    expect(ids(result.fresh)).toEqual(["b"])
  })

  it("with real rows: keys from the synthetic id; a row that does not decode is placed once, one without a time handed on", () => {
    const signIn = {
      email: "a@example.com",
      time: "2026-03-15T09:00:05Z",
      type: "Sign in",
      ip_address: "192.0.2.1",
    }
    const noEmail = { time: "2026-03-15T09:00:05Z", type: "Sign in" }
    const noTime = { email: "b@example.com", time: "soon", type: "Sign in" }
    const page = [signIn, noEmail, noTime]
    const first = advance({}, page, activityLogKey)
    expect(first.fresh).toEqual(expect.arrayContaining([signIn, noEmail]))
    expect(first.fresh).toHaveLength(2)
    expect(first.unplaced).toEqual([noTime])
    expect(first.position.latest_time).toBe("2026-03-15T09:00:05.000Z")
    expect(first.position.ids_at_latest).toHaveLength(2)
    // Re-read on the next poll: the undecodable row is not handed on again.
    const second = advance(first.position, [{ ...noEmail }, { ...signIn }], activityLogKey)
    expect(second.fresh).toEqual([])
  })
})
