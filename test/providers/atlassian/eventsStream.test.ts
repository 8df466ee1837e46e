import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import {
  AtlassianPosition,
  advance,
  initialPosition,
  nextQuery,
  restartQuery,
  withoutCursor,
} from "../../../src/providers/atlassian/AtlassianPosition.ts"
import {
  canMatchAction,
  cursorQuery,
  describeError,
  eventsStreamPath,
  isCursorRejected,
  nextCursorOf,
  rateLimitResetAt,
  requestsPerPoll,
  startQuery,
} from "../../../src/providers/atlassian/eventsStream.ts"
import { AtlassianActionKeys } from "../../../src/providers/atlassian/toActivity.ts"
import { pageFixture } from "./atlassianFixtures.ts"

const START = Date.parse("2026-03-15T09:00:00Z")

describe("atlassian events-stream requests", () => {
  it("a read starts at a time (epoch ms), oldest processed first, 200 a page at most; then the cursor alone", () => {
    expect(eventsStreamPath("a1b2-c3")).toBe("/admin/v1/orgs/a1b2-c3/events-stream")
    expect(Object.fromEntries(startQuery({ fromMs: START + 0.7, limit: 500 }))).toEqual({
      from: String(START),
      limit: "200",
      sortOrder: "asc",
    })
    expect(startQuery({ fromMs: START, toMs: START + 1000, limit: 5 }).get("to")).toBe(String(START + 1000))
    expect(Object.fromEntries(cursorQuery("abc", 50))).toEqual({ cursor: "abc", limit: "50" })
  })

  it("only time reaches the stream; an action no known key maps to matches nothing", () => {
    expect(canMatchAction(undefined, AtlassianActionKeys)).toBe(true)
    expect(canMatchAction("login", AtlassianActionKeys)).toBe(true)
    expect(canMatchAction("login_failed", AtlassianActionKeys)).toBe(false)
    expect(
      canMatchAction("user_deactivated", { ...AtlassianActionKeys, account_off: "user_deactivated" }),
    ).toBe(true)
  })

  it("the cursor is meta.next, else links.next's; grove's /events last page has none", () => {
    expect(nextCursorOf(pageFixture("events_stream/001.json"))).toBe("eyJzZXEiOjF9")
    expect(
      nextCursorOf({ links: { next: "https://api.atlassian.com/admin/v1/orgs/o/events-stream?cursor=xyz" } }),
    ).toBe("xyz")
    expect(nextCursorOf(pageFixture("events/001.json"))).toBeUndefined()
  })

  it("errors: the admin API's codes, and the refused cursor", () => {
    const refused = { errors: [{ status: "400", code: "ADMIN-400-1", title: "Invalid page cursor" }] }
    expect(describeError(refused)).toEqual({ code: "ADMIN-400-1", message: "Invalid page cursor" })
    expect(isCursorRejected(400, refused)).toBe(true)
    expect(isCursorRejected(400, { errors: [{ code: "ADMIN-400-3", title: "Invalid time date" }] })).toBe(
      false,
    )
    expect(describeError("Unauthorized")).toEqual({})
  })

  it("the quota resets at X-RateLimit-Reset, an ISO date-time; Retry-After seconds win", () => {
    const now = Date.parse("2026-03-15T09:00:00Z")
    expect(rateLimitResetAt({ "x-ratelimit-reset": "2026-03-15T09:01:00Z" }, now)).toBe(now + 60_000)
    expect(rateLimitResetAt({ "x-ratelimit-reset": "2026-03-15T09:01+0000" }, now)).toBe(now + 60_000)
    expect(rateLimitResetAt({ "retry-after": "7", "x-ratelimit-reset": "2026-03-15T09:01:00Z" }, now)).toBe(
      now + 7000,
    )
    expect(rateLimitResetAt({}, now)).toBeUndefined()
    // /events: 10 a minute.
    expect(requestsPerPoll(60_000, 10)).toBe(10)
    expect(requestsPerPoll(5_000, 10)).toBe(0)
  })
})

const event = (id: string, time: string, processedAt = time) => ({
  id,
  type: "events",
  attributes: { time, processedAt, action: "user_login", actor: { id: "acc" } },
})
type Event = ReturnType<typeof event>
const ids = (events: ReadonlyArray<Event>) => events.map((e) => e.id)
const T = "2026-03-15T09:00:05.000Z"

describe("atlassian position: advance", () => {
  it("events sharing one boundary instant across two polls: none repeated, none missed", () => {
    const a = event("a", T)
    const b = event("b", T)
    const c = event("c", T)
    const d = event("d", "2026-03-15T09:00:06.000Z")
    // Poll 1: a and b; the stream's cursor comes back even though it is the last page.
    const poll1 = advance(initialPosition, [a, b], "cursor-1")
    expect(ids(poll1.fresh)).toEqual(["a", "b"])
    expect(poll1.position).toEqual({ cursor: "cursor-1", since: T, seen: ["a", "b"] })
    // Poll 2 through the cursor: c (same instant), d.
    const poll2 = advance(poll1.position, [c, d], "cursor-2")
    expect(ids(poll2.fresh)).toEqual(["c", "d"])
    expect(poll2.position).toEqual({ cursor: "cursor-2", since: d.attributes.time, seen: ["d"] })
    // Atlassian refuses cursor-2: the restart reads from d's instant and drops d; e is new at that instant.
    const restart = restartQuery(withoutCursor(poll2.position), START, 200)
    expect(restart.get("from")).toBe(String(Date.parse(d.attributes.time)))
    const e = event("e", d.attributes.time)
    const poll3 = advance(withoutCursor(poll2.position), [d, e], "cursor-3")
    expect(ids(poll3.fresh)).toEqual(["e"])
    expect(poll3.position).toEqual({ cursor: "cursor-3", since: d.attributes.time, seen: ["d", "e"] })
    expect([poll1, poll2, poll3].flatMap((p) => ids(p.fresh))).toEqual(["a", "b", "c", "d", "e"])
  })

  it("a late-processed event (older event time) still comes through the cursor and is published", () => {
    const position = { cursor: "cursor-2", since: "2026-03-15T09:00:06.000Z", seen: ["d"] }
    // Processed a minute after d, but it happened before d.
    const late = event("late", "2026-03-15T09:00:01.000Z", "2026-03-15T09:01:06.000Z")
    const poll = advance(position, [late], "cursor-3")
    expect(ids(poll.fresh)).toEqual(["late"])
    // The latest event time does not move back.
    expect(poll.position).toEqual({ cursor: "cursor-3", since: position.since, seen: ["d"] })
  })

  it("an empty last page keeps the position, taking the cursor Atlassian returned", () => {
    const position = { cursor: "cursor-2", since: T, seen: ["a"] }
    expect(advance(position, [], "cursor-2b").position).toEqual({ ...position, cursor: "cursor-2b" })
    expect(advance(position, [], undefined).position).toEqual(position)
  })

  it("repeats within a page go once; unplaceable events are handed on; the position decodes", () => {
    const a = event("a", T)
    const broken = { id: "", attributes: { time: "never" } } as unknown as Event
    const result = advance(initialPosition, [a, a, broken], "c")
    expect(ids(result.fresh)).toEqual(["a"])
    expect(result.unplaced).toEqual([broken])
    expect(Schema.decodeUnknownSync(AtlassianPosition)(result.position)).toEqual(result.position)
    expect(nextQuery(result.position, START, 100).get("cursor")).toBe("c")
    expect(nextQuery(initialPosition, START, 100).get("from")).toBe(String(START))
  })
})
