import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { auditEventKey } from "../../../src/providers/github/auditEventId.ts"
import { readWindow } from "../../../src/providers/github/auditLogQuery.ts"
import { advance, GitHubPosition, positionFrom } from "../../../src/providers/github/GitHubPosition.ts"

const event = (id: string, iso: string, action = "org.add_member") => ({
  "@timestamp": Date.parse(iso),
  created_at: Date.parse(iso),
  _document_id: id,
  action,
  actor: "octocat",
  org: "octo-corp",
})
type Event = ReturnType<typeof event>
const ids = (events: ReadonlyArray<Event>) => events.map((e) => e._document_id)

// Three events in one second, at different milliseconds, and two later ones.
const S = "2026-03-15T09:00:05"
const a = event("a", `${S}.100Z`)
const b = event("b", `${S}.100Z`)
const c = event("c", `${S}.900Z`)
const d = event("d", "2026-03-15T09:00:06.000Z")
const e = event("e", "2026-03-15T09:01:00.000Z")

describe("github watermark: advance", () => {
  it("events sharing one boundary second across two polls: none repeated, none missed", () => {
    // Poll 1 sees a and b in second S; c lands in S after GitHub answered.
    const poll1 = advance(positionFrom(Date.parse("2026-03-15T09:00:00Z")), [b, a], auditEventKey)
    expect(ids(poll1.fresh)).toEqual(["a", "b"])
    expect(poll1.position).toEqual({ since: `${S}.000Z`, seen: ["a", "b"] })

    // Poll 2 starts at S again (created:>= is second-grained): a and b come back, with c and d.
    const poll2 = advance(poll1.position, [a, b, c, d], auditEventKey)
    expect(ids(poll2.fresh)).toEqual(["c", "d"])
    expect(poll2.position).toEqual({ since: "2026-03-15T09:00:06.000Z", seen: ["d"] })

    // Poll 3 re-reads from d's second: nothing new, nothing moves.
    const poll3 = advance(poll2.position, [d], auditEventKey)
    expect(poll3.fresh).toEqual([])
    expect(poll3.position).toBe(poll2.position)

    const published = [poll1, poll2, poll3].flatMap((poll) => ids(poll.fresh))
    expect(published).toEqual(["a", "b", "c", "d"])
  })

  it("a late event inside the settle window is published by a later poll, not lost", () => {
    const settleMs = 5 * 60_000
    const position = { since: "2026-03-15T09:00:06.000Z", seen: ["d"] }
    // At 09:05:30 only up to 09:00:30 has settled; e (09:01:00) is already visible but not yet read.
    const now1 = Date.parse("2026-03-15T09:05:30Z")
    const window1 = readWindow(Date.parse(position.since), now1, settleMs)
    expect(window1).toEqual({
      sinceMs: Date.parse(position.since),
      untilMs: Date.parse("2026-03-15T09:00:30Z"),
    })
    const poll1 = advance(position, [d, e], auditEventKey, { untilMs: window1?.untilMs ?? 0 })
    expect(poll1.fresh).toEqual([])
    expect(poll1.deferred).toBe(1)
    expect(poll1.position).toBe(position)

    // GitHub backfills `late` at 09:00:40, after poll 1 ran. It is within the settle window of poll 2.
    const late = event("late", "2026-03-15T09:00:40.000Z", "org.remove_member")
    const now2 = Date.parse("2026-03-15T09:06:30Z")
    const window2 = readWindow(Date.parse(poll1.position.since), now2, settleMs)
    const poll2 = advance(poll1.position, [d, late, e], auditEventKey, { untilMs: window2?.untilMs ?? 0 })
    expect(ids(poll2.fresh)).toEqual(["late", "e"])
    expect(poll2.deferred).toBe(0)
    expect(poll2.position).toEqual({ since: "2026-03-15T09:01:00.000Z", seen: ["e"] })
  })

  it("an event backfilled behind the watermark's second is dropped: the limit the settle window exists for", () => {
    const position = { since: "2026-03-15T09:01:00.000Z", seen: ["e"] }
    const tooLate = event("too-late", "2026-03-15T09:00:59.999Z")
    expect(advance(position, [tooLate, e], auditEventKey).fresh).toEqual([])
  })

  it("a limit cuts inside a second; the rest of that second comes on the next read", () => {
    const start = positionFrom(Date.parse("2026-03-15T09:00:00Z"))
    const first = advance(start, [d, c, b, a], auditEventKey, { limit: 2 })
    expect(ids(first.fresh)).toEqual(["a", "b"])
    expect(first.deferred).toBe(2)
    const second = advance(first.position, [a, b, c, d], auditEventKey, { limit: 2 })
    expect(ids(second.fresh)).toEqual(["c", "d"])
  })

  it("sorts whatever GitHub's order, drops repeats within a read, hands unplaceable events on", () => {
    const noTime = { _document_id: "x", action: "repo.create" } as unknown as Event
    const result = advance(positionFrom(0), [e, d, c, b, a, d, noTime], auditEventKey)
    expect(ids(result.fresh)).toEqual(["a", "b", "c", "d", "e"])
    expect(result.unplaced).toEqual([noTime])
    // Events without `_document_id` are keyed by their hash, so a repeat is still a repeat.
    const anonymous = { created_at: Date.parse(`${S}.500Z`), action: "org.add_member", actor: "octocat" }
    const once = advance(positionFrom(0), [anonymous, { ...anonymous }], auditEventKey)
    expect(once.fresh).toHaveLength(1)
    expect(once.position.seen[0]).toMatch(/^[0-9a-f]{64}$/)
  })

  it("the position is the contract's watermark shape at second precision; a start floors to its second", () => {
    expect(positionFrom(Date.parse("2026-03-15T09:00:05.750Z"))).toEqual({
      since: "2026-03-15T09:00:05.000Z",
      seen: [],
    })
    const decode = Schema.decodeUnknownEither(GitHubPosition)
    expect(decode({ since: "2026-03-15T09:00:05.000Z", seen: ["a"] })._tag).toBe("Right")
    expect(decode({ since: "2026-03-15T09:00:05.750Z", seen: [] })._tag).toBe("Left")
  })
})
