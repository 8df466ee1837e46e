import { describe, expect, it } from "@effect/vitest"
import { advance, rowKey, type SalesforcePosition, startPosition } from "./watermark.ts"

const row = (id: string, time: string) => ({
  attributes: { type: "LoginHistory", url: `/services/data/v62.0/sobjects/LoginHistory/${id}` },
  Id: id,
  LoginTime: time,
  Status: "Success",
})
const keyOf = rowKey("login_history")
const ids = (rows: ReadonlyArray<unknown>) => rows.map((r) => (r as { Id: string }).Id)

// Ids with valid checksums, in ascending order.
const A = "0YaRO00000AbCdA0AV"
const B = "0YaRO00000AbCdB0AV"
const C = "0YaRO00000AbCdC0AV"
const D = "0YaRO00000AbCdD0AV"
const E = "0YaRO00000AbCdE0AV"
const F = "0YaRO00000AbCdF0AV"

const T1 = "2026-03-02T09:00:00.000+0000"
const T2 = "2026-03-02T09:00:05.000+0000"
const T3 = "2026-03-02T09:01:00.000+0000"

describe("startPosition", () => {
  it("starts at created_at, else as far back as the object is kept", () => {
    const now = Date.parse("2026-03-02T12:00:00Z")
    expect(startPosition("login_history", { createdAtMs: Date.parse("2026-03-01T00:00:00Z") }, now)).toEqual({
      since: "2026-03-01T00:00:00.000Z",
      seen: [],
    })
    expect(startPosition("setup_audit_trail", {}, now).since).toBe("2025-09-03T12:00:00.000Z")
  })
})

describe("advance", () => {
  it("rows sharing one second across two polls: none repeated, none missed", () => {
    const poll1 = advance(
      startPosition("login_history", {}, Date.parse(T3)),
      [row(A, T1), row(B, T2), row(C, T2)],
      keyOf,
    )
    expect(ids(poll1.fresh)).toEqual([A, B, C])
    expect(poll1.position).toEqual({ since: "2026-03-02T09:00:05.000Z", seen: [B, C] })

    // Poll 2 starts at the watermark inclusive: B and C come again, D was written into that same second since.
    const poll2 = advance(poll1.position, [row(B, T2), row(C, T2), row(D, T2), row(E, T3)], keyOf)
    expect(ids(poll2.fresh)).toEqual([D, E])
    expect(poll2.position).toEqual({ since: "2026-03-02T09:01:00.000Z", seen: [E] })

    // Poll 3: one more row in the watermark's second; the set at the watermark grows.
    const poll3 = advance(poll2.position, [row(E, T3), row(F, T3)], keyOf)
    expect(ids(poll3.fresh)).toEqual([F])
    expect(poll3.position).toEqual({ since: "2026-03-02T09:01:00.000Z", seen: [E, F] })

    // Nothing new: nothing published, the position is the same.
    const poll4 = advance(poll3.position, [row(E, T3), row(F, T3)], keyOf)
    expect(poll4.fresh).toEqual([])
    expect(poll4.position).toEqual(poll3.position)

    expect([poll1, poll2, poll3, poll4].flatMap((poll) => ids(poll.fresh))).toEqual([A, B, C, D, E, F])
  })

  it("a second split across two batches of one read: the second batch goes on from the first's position", () => {
    const start: SalesforcePosition = { since: "2026-03-02T09:00:00.000Z", seen: [] }
    const batch1 = advance(start, [row(A, T1), row(B, T2)], keyOf)
    expect(batch1.position).toEqual({ since: "2026-03-02T09:00:05.000Z", seen: [B] })
    const batch2 = advance(batch1.position, [row(C, T2)], keyOf)
    expect(ids(batch2.fresh)).toEqual([C])
    expect(batch2.position).toEqual({ since: "2026-03-02T09:00:05.000Z", seen: [B, C] })
    // The locator expired before batch 2 was read: querying again from batch 1's position misses and repeats nothing.
    const requery = advance(batch1.position, [row(B, T2), row(C, T2)], keyOf)
    expect(ids(requery.fresh)).toEqual([C])
  })

  it("a late row: in the watermark's second it is published; older than the watermark it is dropped", () => {
    const position: SalesforcePosition = { since: "2026-03-02T09:00:05.000Z", seen: [B] }
    const atWatermark = advance(position, [row(B, T2), row(D, T2)], keyOf)
    expect(ids(atWatermark.fresh)).toEqual([D])
    // Visible only after the watermark moved past its second: indistinguishable from a published row. The
    // settle margin of planQuery is what keeps this from happening to rows that are merely a little late.
    const older = advance(position, [row(A, T1), row(B, T2)], keyOf)
    expect(older.fresh).toEqual([])
    expect(older.position).toEqual(position)
  })

  it("a row repeated within a batch is published once; a row without an id or time is handed on unplaced", () => {
    const noTime = { Id: C, Status: "Success", LoginTime: "yesterday" }
    const noId = { LoginTime: T2, Status: "Success" }
    const result = advance(
      { since: "2026-03-02T09:00:00.000Z", seen: [] },
      [row(A, T1), row(A, T1), noTime, noId, { Status: "Success", LoginTime: T2, Id: "bogus" }],
      keyOf,
    )
    expect(ids(result.fresh)).toEqual([A])
    expect(result.unplaced).toEqual([noTime, noId, { Status: "Success", LoginTime: T2, Id: "bogus" }])
    // A row that will fail decoding (no Status) but has an id and a time is placed, to be dead-lettered once.
    const undecodable = { Id: D, LoginTime: T3 }
    expect(advance(result.position, [undecodable], keyOf).fresh).toEqual([undecodable])
    expect(
      keyOf({ attributes: { url: `/services/data/v62.0/sobjects/LoginHistory/${E}` }, LoginTime: T3 }),
    ).toEqual({
      id: E,
      time: "2026-03-02T09:01:00.000Z",
    })
    expect(rowKey("setup_audit_trail")({ Id: E, CreatedDate: T3 })).toEqual({
      id: E,
      time: "2026-03-02T09:01:00.000Z",
    })
  })
})
