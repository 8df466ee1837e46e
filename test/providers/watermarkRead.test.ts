import { describe, expect, it } from "@effect/vitest"
import type { AnyActivityStream, Watermark } from "../../src/providers/ActivityStream.ts"
import { mapRecord } from "../../src/providers/mapRecord.ts"
import { loginHistory } from "../../src/providers/salesforce/streams/loginHistory.ts"
import { setupAuditTrail } from "../../src/providers/salesforce/streams/setupAuditTrail.ts"
import { makeWatermarkRead, watermarkBounds } from "../../src/providers/watermarkRead.ts"
import { auditLogs } from "../../src/providers/zendesk/streams/auditLogs.ts"
import { salesforceAccount } from "./salesforce/salesforceFixtures.ts"
import { zendeskAccount } from "./zendesk/zendeskFixtures.ts"

// The bookkeeping of production's watermark read (readWatermarkPage) from fixtures, without requests: what
// each read hands on, and where the stream stands after it. Reads over the simulators are in the
// *.simulator.test.ts files and test/simulators.

const NOW = Date.parse("2026-03-02T12:00:00Z")

/** One read at `now` of `raws` (the provider's pages, in order), every window read to its end. */
const readOf = (
  stream: AnyActivityStream,
  position: Watermark | undefined,
  raws: ReadonlyArray<unknown>,
  options: { readonly now?: number; readonly limit?: number } = {},
) => {
  const account = stream === auditLogs ? zendeskAccount : salesforceAccount
  const bounds = watermarkBounds(stream, position, {}, options.now ?? NOW)
  const read = makeWatermarkRead(bounds, options.limit ?? 100, stream.order)
  for (const raw of raws) read.offer(raw, mapRecord(stream, account, raw), [bounds.from, bounds.to])
  return read.result(true)
}

const login = (id: string, time: string) => ({
  attributes: { type: "LoginHistory", url: `/services/data/v62.0/sobjects/LoginHistory/${id}` },
  Id: id,
  LoginTime: time,
  Status: "Success",
})
const ids = (records: ReadonlyArray<unknown>) => records.map((r) => (r as { Id: string }).Id)

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

describe("watermarkBounds", () => {
  it("starts at the position, else created_at, else as far back as the provider keeps; ends settle before now", () => {
    expect(watermarkBounds(setupAuditTrail, undefined, {}, NOW)).toMatchObject({
      from: Date.parse("2025-09-03T12:00:00.000Z"),
      to: NOW - 30_000,
    })
    const createdAt = "2026-03-01T00:00:00.000Z"
    expect(watermarkBounds(loginHistory, undefined, { created_at: createdAt }, NOW).from).toBe(
      Date.parse(createdAt),
    )
    const position = { since: "2026-03-02T09:00:05.000Z", seen: [B], rejected: [] }
    const bounds = watermarkBounds(loginHistory, position, { created_at: createdAt }, NOW)
    expect([bounds.from, [...bounds.seen]]).toEqual([Date.parse(position.since), [B]])
    // Zendesk keeps an account's whole history.
    expect(watermarkBounds(auditLogs, undefined, {}, NOW).from).toBe(0)
  })
})

describe("makeWatermarkRead", () => {
  it("rows sharing one second across polls: none repeated, none missed", () => {
    const poll1 = readOf(loginHistory, undefined, [login(A, T1), login(B, T2), login(C, T2)])
    expect(ids(poll1.records)).toEqual([A, B, C])
    expect(poll1.next).toEqual({ since: "2026-03-02T09:00:05.000Z", seen: [B, C], rejected: [] })

    // Poll 2 starts at the watermark inclusive: B and C come again, D was written into that same second since.
    const poll2 = readOf(loginHistory, poll1.next, [login(B, T2), login(C, T2), login(D, T2), login(E, T3)])
    expect(ids(poll2.records)).toEqual([D, E])
    expect(poll2.next).toEqual({ since: "2026-03-02T09:01:00.000Z", seen: [E], rejected: [] })

    // Poll 3: one more row in the watermark's second; the set at the watermark grows.
    const poll3 = readOf(loginHistory, poll2.next, [login(E, T3), login(F, T3)])
    expect(ids(poll3.records)).toEqual([F])
    expect(poll3.next).toEqual({ since: "2026-03-02T09:01:00.000Z", seen: [E, F], rejected: [] })

    // Nothing new: nothing handed on, the position is the same.
    const poll4 = readOf(loginHistory, poll3.next, [login(E, T3), login(F, T3)])
    expect(poll4.records).toEqual([])
    expect(poll4.next).toEqual(poll3.next)

    expect([poll1, poll2, poll3, poll4].flatMap((poll) => ids(poll.records))).toEqual([A, B, C, D, E, F])
  })

  it("a second split by a read's limit: reading again from the position after the first part repeats nothing", () => {
    const first = readOf(loginHistory, undefined, [login(A, T1), login(B, T2), login(C, T2)], { limit: 2 })
    expect([ids(first.records), first.hasMore]).toEqual([[A, B], true])
    expect(first.next).toEqual({ since: "2026-03-02T09:00:05.000Z", seen: [B], rejected: [] })
    expect(first.after(1)).toEqual({ since: "2026-03-02T09:00:00.000Z", seen: [A], rejected: [] })
    // As after an expired query locator: the query runs again from the position.
    const again = readOf(loginHistory, first.next, [login(B, T2), login(C, T2)])
    expect(ids(again.records)).toEqual([C])
    expect(again.next).toEqual({ since: "2026-03-02T09:00:05.000Z", seen: [B, C], rejected: [] })
  })

  it("a late row: in the watermark's second it is handed on; older than the watermark it is dropped", () => {
    const position: Watermark = { since: "2026-03-02T09:00:05.000Z", seen: [B], rejected: [] }
    expect(ids(readOf(loginHistory, position, [login(B, T2), login(D, T2)]).records)).toEqual([D])
    // Visible only after the watermark moved past its second: indistinguishable from a published row. The
    // settle window is what keeps this from happening to rows that are merely a little late.
    const older = readOf(loginHistory, position, [login(A, T1), login(B, T2)])
    expect(older.records).toEqual([])
    expect(older.next).toEqual(position)
  })

  it("a row repeated within a read is handed on once; rows that do not map go first, rejected, once across reads", () => {
    const noTime = { ...login(C, T2), LoginTime: "yesterday" }
    const noId = { LoginTime: T2, Status: "Success" }
    const bogusId = { ...login(D, T2), Id: "bogus", attributes: undefined }
    const noStatus = { Id: E, LoginTime: T3 }
    const raws = [login(A, T1), login(A, T1), noTime, noId, bogusId, noStatus]
    const first = readOf(loginHistory, undefined, raws)
    expect(first.records).toEqual([noTime, noId, bogusId, noStatus, login(A, T1)])
    expect(first.mapped.map((m) => m._tag)).toEqual(["Left", "Left", "Left", "Left", "Right"])
    expect(first.next.rejected).toHaveLength(4)
    // Read again (the watermark's second is re-read): the rejected rows are not handed on a second time.
    const again = readOf(loginHistory, first.next, raws)
    expect(again.records).toEqual([])
  })

  it("Zendesk: records sharing a second across polls, a time with an offset, malformed records rejected once", () => {
    const rec = (id: unknown, created_at: string) => ({ id, action: "update", created_at })
    const zids = (records: ReadonlyArray<unknown>) => records.map((r) => (r as { id: unknown }).id)
    const poll1 = readOf(auditLogs, undefined, [
      rec(1, "2026-03-02T09:00:00Z"),
      rec(3, "2026-03-02T10:00:05+01:00"),
      rec(2, "2026-03-02T09:00:05Z"),
    ])
    expect(zids(poll1.records)).toEqual([1, 3, 2])
    expect(poll1.next).toEqual({ since: "2026-03-02T09:00:05.000Z", seen: ["3", "2"], rejected: [] })
    const noZone = rec(7, "2026-03-02 09:00:06")
    const stringId = rec("7", "2026-03-02T09:00:06Z")
    const poll2 = readOf(auditLogs, poll1.next, [
      rec(3, "2026-03-02T09:00:05Z"),
      rec(2, "2026-03-02T09:00:05Z"),
      noZone,
      stringId,
      rec(4, "2026-03-02T09:00:05Z"),
    ])
    expect(zids(poll2.records)).toEqual([7, "7", 4])
    expect(poll2.next.seen).toEqual(["3", "2", "4"])
    expect(readOf(auditLogs, poll2.next, [noZone, stringId]).records).toEqual([])
  })
})
