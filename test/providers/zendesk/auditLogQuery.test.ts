import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import {
  auditLogsCall,
  auditLogsQuery,
  auditLogsUrl,
  canMatch,
  checkFilters,
  readAuditLogsPage,
} from "../../../src/providers/zendesk/auditLogQuery.ts"

const NOW = Date.parse("2026-03-02T12:00:00.400Z")
const FROM = Date.parse("2026-03-02T09:00:00.000Z")
const TO = NOW - 30_000

describe("checkFilters", () => {
  it("accepts every unified filter in Zendesk's form, and actions it never records (they match nothing)", () => {
    const filters = {
      created_at: "2026-03-01T00:00:00Z",
      actor_id: "1234",
      action: "updated",
      entity: "3456",
      entity_type: "user",
      ip_address: "2001:db8::1",
    } as const
    expect(checkFilters(filters)).toEqual(Either.right(filters))
    expect(checkFilters({ action: "login_failed" })).toEqual(Either.right({ action: "login_failed" }))
  })

  it("the five actions Zendesk records map to its values", () => {
    const action = (a: "login" | "create" | "destroy" | "exported" | "updated") =>
      auditLogsQuery({ filters: { action: a }, now: NOW, limit: 1 })["filter[action]"]
    expect((["login", "create", "destroy", "exported", "updated"] as const).map(action)).toEqual([
      "login",
      "create",
      "destroy",
      "exported",
      "update",
    ])
  })

  it("refuses, naming the parameter: non-numeric ids, a bad IP, organization_id; entity alone is taken", () => {
    const param = (filters: Parameters<typeof checkFilters>[0]) =>
      Either.getLeft(checkFilters(filters)).pipe((l) => (l._tag === "Some" ? l.value.param : undefined))
    expect(param({ entity: "3456" })).toBeUndefined()
    expect(param({ entity: "abc", entity_type: "user" })).toBe("entity")
    expect(param({ entity_type: " " })).toBe("entity_type")
    expect(param({ actor_id: "1234 OR 1=1" })).toBe("actor_id")
    expect(param({ actor_id: "-1" })).toBe("actor_id")
    expect(param({ ip_address: "209.119.38.228&filter[actor_id]=1" })).toBe("ip_address")
    expect(param({ created_at: "yesterday" })).toBe("created_at")
    expect(param({ organization_id: "acme" })).toBe("organization_id")
  })
})

describe("auditLogsQuery", () => {
  it("cursor pagination, oldest first, [from, to) as the closed range given twice, each filter as Zendesk names it", () => {
    const filters = {
      actor_id: "1234",
      action: "login",
      entity: "3456",
      entity_type: "user",
      ip_address: "209.119.38.228",
    } as const
    const query = auditLogsQuery({ filters, from: FROM, to: TO, now: NOW, limit: 500 })
    expect(query).toEqual({
      "page[size]": "100",
      sort: "created_at",
      "filter[created_at][]": ["2026-03-02T09:00:00Z", "2026-03-02T11:59:30Z"],
      "filter[actor_id]": "1234",
      "filter[action]": "login",
      "filter[source_type]": "user",
      "filter[source_id]": "3456",
      "filter[ip_address]": "209.119.38.228",
    })
    expect(auditLogsCall({ filters: {}, from: FROM, to: TO, now: NOW, limit: 10 }, "c2")).toEqual({
      target: "/api/v2/audit_logs",
      query: {
        "page[size]": "10",
        sort: "created_at",
        "filter[created_at][]": ["2026-03-02T09:00:00Z", "2026-03-02T11:59:30Z"],
        "page[after]": "c2",
      },
    })
    expect(
      auditLogsUrl(
        new URL("https://support.acme.example/x"),
        auditLogsQuery({ filters, from: FROM, to: TO, now: NOW, limit: 100 }),
      ).href,
    ).toBe(
      "https://support.acme.example/api/v2/audit_logs?page%5Bsize%5D=100&sort=created_at&filter%5Bcreated_at%5D%5B%5D=2026-03-02T09%3A00%3A00Z&filter%5Bcreated_at%5D%5B%5D=2026-03-02T11%3A59%3A30Z&filter%5Bactor_id%5D=1234&filter%5Baction%5D=login&filter%5Bsource_type%5D=user&filter%5Bsource_id%5D=3456&filter%5Bip_address%5D=209.119.38.228",
    )
  })

  it("the closed range covers [from, to) in whole seconds: a whole-second `to` is left out; no `to` means now", () => {
    const range = (from: number, to: number | undefined) =>
      auditLogsQuery({ filters: {}, from, to, now: NOW, limit: 1 })["filter[created_at][]"]
    expect(range(FROM + 999, Date.parse("2026-03-02T12:00:00.000Z"))).toEqual([
      "2026-03-02T09:00:00Z",
      "2026-03-02T11:59:59Z",
    ])
    expect(range(FROM, Date.parse("2026-03-02T12:00:00.001Z"))).toEqual([
      "2026-03-02T09:00:00Z",
      "2026-03-02T12:00:00Z",
    ])
    expect(range(FROM, undefined)).toEqual(["2026-03-02T09:00:00Z", "2026-03-02T12:00:00Z"])
    expect(auditLogsQuery({ filters: {}, now: NOW, limit: 1 })["filter[created_at][]"]?.[0]).toBe(
      "1970-01-01T00:00:00Z",
    )
  })

  it("a hostile entity_type is one parameter value, never more parameters", () => {
    const url = auditLogsUrl(
      new URL("https://acme.zendesk.com"),
      auditLogsQuery({
        filters: { entity_type: "user&filter[actor_id]=1&sort=-created_at" },
        from: FROM,
        to: TO,
        now: NOW,
        limit: 10,
      }),
    )
    expect(url.searchParams.getAll("filter[source_type]")).toEqual([
      "user&filter[actor_id]=1&sort=-created_at",
    ])
    expect(url.searchParams.getAll("filter[actor_id]")).toEqual([])
    expect(url.searchParams.getAll("sort")).toEqual(["created_at"])
  })

  it("canMatch: false for an action Zendesk never records and for values no record can hold", () => {
    expect(canMatch({})).toBe(true)
    expect(
      canMatch({ action: "updated", actor_id: "1234", entity: "1", entity_type: "user", ip_address: "::1" }),
    ).toBe(true)
    // Zendesk needs source_type beside source_id: entity alone is read for without it and post-filtered.
    expect(canMatch({ entity: "3456" })).toBe(true)
    expect(auditLogsQuery({ filters: { entity: "3456" }, now: 0, limit: 10 })).not.toHaveProperty(
      "filter[source_id]",
    )
    for (const filters of [
      { action: "login_failed" },
      { action: "user_created" },
      { actor_id: "jane" },
      { entity: "not-an-id" },
      { ip_address: "not-an-ip" },
    ] as const)
      expect([filters, canMatch(filters)]).toEqual([filters, false])
  })
})

describe("readAuditLogsPage", () => {
  const record = { id: 1, action: "login", created_at: "2026-03-02T09:00:00Z" }
  it("records, the next page's cursor while has_more, and the flag; anything else is refused", () => {
    expect(
      readAuditLogsPage({ audit_logs: [record], meta: { has_more: true, after_cursor: "xyz" } }),
    ).toEqual({
      records: [record],
      token: "xyz",
      hasMore: true,
    })
    expect(
      readAuditLogsPage({
        audit_logs: [record],
        meta: { has_more: false, after_cursor: "xyz" },
        links: { next: null },
      }),
    ).toEqual({ records: [record], hasMore: false })
    expect(
      readAuditLogsPage({ audit_logs: [record], meta: { has_more: true, after_cursor: null } }),
    ).toBeUndefined()
    // An offset-paginated answer: page[size] did not arrive.
    expect(
      readAuditLogsPage({ audit_logs: [record], next_page: null, previous_page: null, count: 1 }),
    ).toBeUndefined()
    expect(readAuditLogsPage({ error: "Couldn't authenticate you" })).toBeUndefined()
  })
})
