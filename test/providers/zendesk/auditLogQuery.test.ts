import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import {
  advance,
  auditLogKey,
  auditLogsUrl,
  nextPageQuery,
  planQuery,
  readFilters,
  startPosition,
  type ZendeskPosition,
} from "../../../src/providers/zendesk/auditLogQuery.ts"

const NOW = Date.parse("2026-03-02T12:00:00.400Z")

const paramsOf = (query: URLSearchParams) => [...query]

describe("readFilters", () => {
  it("every unified filter has a Zendesk parameter", () => {
    expect(
      readFilters({
        created_at: "2026-03-01T00:00:00Z",
        actor_id: "1234",
        action: "updated",
        entity: "3456",
        entity_type: "user",
        ip_address: "2001:db8::1",
      }),
    ).toEqual(
      Either.right({
        createdAtMs: Date.parse("2026-03-01T00:00:00Z"),
        actorId: "1234",
        action: "update",
        sourceType: "user",
        sourceId: "3456",
        ipAddress: "2001:db8::1",
      }),
    )
  })

  it("unified actions Zendesk never records match nothing (null); the five it records map", () => {
    const action = (
      a: "login" | "create" | "destroy" | "exported" | "updated" | "login_failed" | "user_created",
    ) => Either.getOrThrow(readFilters({ action: a })).action
    expect(["login", "create", "destroy", "exported", "updated"].map((a) => action(a as "login"))).toEqual([
      "login",
      "create",
      "destroy",
      "exported",
      "update",
    ])
    expect(action("login_failed")).toBeNull()
    expect(action("user_created")).toBeNull()
  })

  it("refuses, naming the parameter: entity without entity_type, non-numeric ids, a bad IP, organization_id", () => {
    const param = (filters: Parameters<typeof readFilters>[0]) =>
      Either.getLeft(readFilters(filters)).pipe((l) => (l._tag === "Some" ? l.value.param : undefined))
    expect(param({ entity: "3456" })).toBe("entity_type")
    expect(param({ entity: "abc", entity_type: "user" })).toBe("entity")
    expect(param({ entity_type: " " })).toBe("entity_type")
    expect(param({ actor_id: "1234 OR 1=1" })).toBe("actor_id")
    expect(param({ actor_id: "-1" })).toBe("actor_id")
    expect(param({ ip_address: "209.119.38.228&filter[actor_id]=1" })).toBe("ip_address")
    expect(param({ created_at: "yesterday" })).toBe("created_at")
    expect(param({ organization_id: "acme" })).toBe("organization_id")
  })
})

describe("planQuery", () => {
  it("cursor pagination, oldest first, the time range given twice (start, end = now − settle), each filter as Zendesk names it", () => {
    const filters = Either.getOrThrow(
      readFilters({
        actor_id: "1234",
        action: "login",
        entity: "3456",
        entity_type: "user",
        ip_address: "209.119.38.228",
      }),
    )
    const plan = planQuery(filters, { since: "2026-03-02T09:00:00.000Z" }, { nowMs: NOW })
    if (plan._tag !== "Query") throw new Error(plan._tag)
    expect(paramsOf(plan.query)).toEqual([
      ["page[size]", "100"],
      ["sort", "created_at"],
      ["filter[created_at][]", "2026-03-02T09:00:00Z"],
      ["filter[created_at][]", "2026-03-02T11:59:30Z"],
      ["filter[actor_id]", "1234"],
      ["filter[action]", "login"],
      ["filter[source_type]", "user"],
      ["filter[source_id]", "3456"],
      ["filter[ip_address]", "209.119.38.228"],
    ])
    expect(plan.until).toBe("2026-03-02T11:59:30.000Z")
    expect(auditLogsUrl(new URL("https://support.acme.example/x"), plan.query).href).toBe(
      "https://support.acme.example/api/v2/audit_logs?page%5Bsize%5D=100&sort=created_at&filter%5Bcreated_at%5D%5B%5D=2026-03-02T09%3A00%3A00Z&filter%5Bcreated_at%5D%5B%5D=2026-03-02T11%3A59%3A30Z&filter%5Bactor_id%5D=1234&filter%5Baction%5D=login&filter%5Bsource_type%5D=user&filter%5Bsource_id%5D=3456&filter%5Bip_address%5D=209.119.38.228",
    )
  })

  it("a hostile entity_type is one parameter value, never more parameters", () => {
    const filters = Either.getOrThrow(
      readFilters({ entity_type: "user&filter[actor_id]=1&sort=-created_at" }),
    )
    const plan = planQuery(filters, { since: "2026-03-02T09:00:00.000Z" }, { nowMs: NOW, pageSize: 10 })
    if (plan._tag !== "Query") throw new Error(plan._tag)
    const url = auditLogsUrl(new URL("https://acme.zendesk.com"), plan.query)
    expect(url.searchParams.getAll("filter[source_type]")).toEqual([
      "user&filter[actor_id]=1&sort=-created_at",
    ])
    expect(url.searchParams.getAll("filter[actor_id]")).toEqual([])
    expect(url.searchParams.getAll("sort")).toEqual(["created_at"])
  })

  it("created_at later than the position is the start; nothing yet, or nothing at all, without a request", () => {
    const later = planQuery(
      { createdAtMs: Date.parse("2026-03-02T11:00:00.500Z") },
      { since: "2026-03-01T00:00:00.000Z" },
      { nowMs: NOW },
    )
    expect(later._tag === "Query" && later.query.getAll("filter[created_at][]")).toEqual([
      "2026-03-02T11:00:00Z",
      "2026-03-02T11:59:30Z",
    ])
    expect(planQuery({}, { since: "2026-03-02T11:59:31.000Z" }, { nowMs: NOW })).toEqual({
      _tag: "NothingYet",
    })
    expect(planQuery({ action: null }, { since: "2026-03-01T00:00:00.000Z" }, { nowMs: NOW })).toEqual({
      _tag: "MatchesNothing",
    })
    expect(planQuery({}, startPosition({}), { nowMs: NOW, pageSize: 500 })).toMatchObject({ _tag: "Query" })
    const first = planQuery({}, startPosition({}), { nowMs: NOW, pageSize: 500 })
    expect(first._tag === "Query" && first.query.get("page[size]")).toBe("100")
    expect(first._tag === "Query" && first.query.getAll("filter[created_at][]")[0]).toBe(
      "1970-01-01T00:00:00Z",
    )
  })
})

describe("nextPageQuery", () => {
  const query = new URLSearchParams([
    ["page[size]", "2"],
    ["sort", "created_at"],
    ["filter[created_at][]", "2026-03-02T09:00:00Z"],
    ["filter[created_at][]", "2026-03-02T11:59:30Z"],
  ])

  it("the same query with page[after] = meta.after_cursor while has_more; none at the end", () => {
    const next = Either.getOrThrow(nextPageQuery(query, { meta: { has_more: true, after_cursor: "xyz" } }))
    expect(next && paramsOf(next)).toEqual([...paramsOf(query), ["page[after]", "xyz"]])
    const again = Either.getOrThrow(
      nextPageQuery(next as URLSearchParams, { meta: { has_more: true, after_cursor: "abc" } }),
    )
    expect(again?.getAll("page[after]")).toEqual(["abc"])
    expect(nextPageQuery(query, { meta: { has_more: false, after_cursor: "xyz" } })).toEqual(
      Either.right(undefined),
    )
    expect(Either.isLeft(nextPageQuery(query, { meta: { has_more: true, after_cursor: null } }))).toBe(true)
  })
})

const rec = (id: number, created_at: string) => ({ id, action: "update", created_at })
const idsOf = (records: ReadonlyArray<unknown>) => records.map((r) => (r as { id: number }).id)

describe("advance", () => {
  const T1 = "2026-03-02T09:00:00Z"
  const T2 = "2026-03-02T09:00:05Z"
  const T3 = "2026-03-02T09:01:00Z"

  it("records sharing one second across two polls: none repeated, none missed", () => {
    const poll1 = advance(startPosition({}), [rec(1, T1), rec(3, T2), rec(2, T2)], undefined)
    expect(idsOf(poll1.fresh)).toEqual([1, 3, 2])
    expect(poll1.position).toEqual({ since: "2026-03-02T09:00:05.000Z", ids_at_since: ["3", "2"] })

    const poll2 = advance(poll1.position, [rec(3, T2), rec(2, T2), rec(4, T2), rec(5, T3)], undefined)
    expect(idsOf(poll2.fresh)).toEqual([4, 5])
    expect(poll2.position).toEqual({ since: "2026-03-02T09:01:00.000Z", ids_at_since: ["5"] })

    const poll3 = advance(poll2.position, [rec(5, T3), rec(6, T3)], undefined)
    expect(idsOf(poll3.fresh)).toEqual([6])
    expect(poll3.position).toEqual({ since: "2026-03-02T09:01:00.000Z", ids_at_since: ["5", "6"] })

    const poll4 = advance(poll3.position, [rec(5, T3), rec(6, T3)], undefined)
    expect(poll4.fresh).toEqual([])
    expect(poll4.position).toEqual(poll3.position)
    expect([poll1, poll2, poll3, poll4].flatMap((p) => idsOf(p.fresh))).toEqual([1, 3, 2, 4, 5, 6])
  })

  it("keeps the next page's query while the query has more, and drops it at the end", () => {
    const next = new URLSearchParams([["page[after]", "c1"]])
    const page1 = advance(startPosition({}), [rec(1, T1)], next)
    expect(page1.position).toEqual({
      since: "2026-03-02T09:00:00.000Z",
      ids_at_since: ["1"],
      next_query: "page%5Bafter%5D=c1",
    })
    expect(advance(page1.position, [rec(2, T1)], undefined).position).toEqual({
      since: "2026-03-02T09:00:00.000Z",
      ids_at_since: ["1", "2"],
    })
  })

  it("a late record: in the watermark's second it is published; older than the watermark it is dropped", () => {
    const position: ZendeskPosition = { since: "2026-03-02T09:00:05.000Z", ids_at_since: ["3"] }
    expect(idsOf(advance(position, [rec(3, T2), rec(9, T2)], undefined).fresh)).toEqual([9])
    const older = advance(position, [rec(8, T1), rec(3, T2)], undefined)
    expect(older.fresh).toEqual([])
    expect(older.position).toEqual(position)
  })

  it("records without a readable id or time are handed on unplaced; a malformed but placeable one is published once", () => {
    const noTime = { id: 7, action: "update", created_at: "2026-03-02 09:00:00" }
    const stringId = { id: "7", action: "update", created_at: T1 }
    const result = advance(startPosition({}), [noTime, stringId, { id: 8, created_at: T1 }], undefined)
    expect(result.unplaced).toEqual([noTime, stringId])
    expect(result.fresh).toEqual([{ id: 8, created_at: T1 }])
    expect(auditLogKey({ id: 8, created_at: "2026-03-02T10:00:05+01:00" })).toEqual({
      id: "8",
      time: "2026-03-02T09:00:05.000Z",
    })
    expect(auditLogKey(null)).toBeUndefined()
  })
})
