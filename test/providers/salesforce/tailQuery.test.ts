import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { readQueryResult } from "../../../src/providers/salesforce/SalesforceQueryResult.ts"
import {
  apiVersionOf,
  canMatch,
  DEFAULT_API_VERSION,
  followNextRecordsUrl,
  isQueryResourcePath,
  queryCall,
  queryOptionsHeader,
  readFilters,
  soqlQuery,
} from "../../../src/providers/salesforce/tailQuery.ts"
import { parseSoql } from "../../../src/simulators/salesforce/soqlQuery.ts"

describe("readFilters", () => {
  it("reads created_at and actor_id", () => {
    expect(readFilters({})).toEqual(Either.right({}))
    expect(readFilters({ created_at: "2026-03-01T10:00:00+02:00", actor_id: "005Hn00000H35Jt" })).toEqual(
      Either.right({ createdAtMs: Date.parse("2026-03-01T08:00:00Z"), actorId: "005Hn00000H35Jt" }),
    )
  })

  it("refuses what Salesforce cannot filter on, naming the parameter, rather than dropping it", () => {
    for (const [filters, param] of [
      [{ action: "login" }, "action"],
      [{ entity: "x" }, "entity"],
      [{ entity_type: "user" }, "entity_type"],
      [{ ip_address: "192.0.2.1" }, "ip_address"],
      [{ organization_id: "00D" }, "organization_id"],
      [{ created_at: "last tuesday" }, "created_at"],
      [{ actor_id: "jane@acme.example" }, "actor_id"],
    ] as const) {
      expect(Either.getLeft(readFilters(filters)).pipe((l) => l._tag === "Some" && l.value.param)).toBe(param)
    }
  })
})

describe("soqlQuery and queryCall", () => {
  const FROM = Date.parse("2026-03-02T09:00:00.000Z")
  const TO = Date.parse("2026-03-02T11:59:30.400Z")

  it("LoginHistory over [from, to): whole seconds, from floored and to rounded up, oldest first, ties by Id", () => {
    const soql = soqlQuery("login_history", {}, { from: FROM + 750, to: TO })
    expect(soql).toBe(
      "SELECT Id, UserId, LoginTime, LoginType, LoginUrl, SourceIp, Status, Application, Browser, Platform, " +
        "ApiType, ApiVersion, AuthenticationServiceId, CountryIso, LoginSubType, TlsProtocol, CipherSuite " +
        "FROM LoginHistory WHERE LoginTime >= 2026-03-02T09:00:00Z AND LoginTime < 2026-03-02T11:59:31Z " +
        "ORDER BY LoginTime ASC, Id ASC",
    )
    expect(Either.isRight(parseSoql(soql))).toBe(true)
    // A window ending on a whole second excludes that second.
    expect(soqlQuery("login_history", {}, { from: FROM, to: Date.parse("2026-03-02T12:00:00Z") })).toContain(
      "LoginTime < 2026-03-02T12:00:00Z",
    )
  })

  it("SetupAuditTrail: CreatedDate, and actor_id on CreatedById; an unbounded window has no time conditions", () => {
    const soql = soqlQuery("setup_audit_trail", { actor_id: "005Hn00000H35JtIAJ" }, { from: FROM, to: TO })
    expect(soql).toBe(
      "SELECT Id, Action, Section, CreatedDate, CreatedById, CreatedByContext, CreatedByIssuer, DelegateUser, " +
        "Display, ResponsibleNamespacePrefix FROM SetupAuditTrail WHERE CreatedDate >= 2026-03-02T09:00:00Z AND " +
        "CreatedDate < 2026-03-02T11:59:31Z AND CreatedById = '005Hn00000H35JtIAJ' ORDER BY CreatedDate ASC, Id ASC",
    )
    expect(Either.isRight(parseSoql(soql))).toBe(true)
    expect(soqlQuery("setup_audit_trail", {}, {})).toBe(
      "SELECT Id, Action, Section, CreatedDate, CreatedById, CreatedByContext, CreatedByIssuer, DelegateUser, " +
        "Display, ResponsibleNamespacePrefix FROM SetupAuditTrail ORDER BY CreatedDate ASC, Id ASC",
    )
  })

  it("filters that can match nothing are never asked; were they, the query matches nothing and holds no raw value", () => {
    expect(canMatch({})).toBe(true)
    expect(canMatch({ actor_id: "005Hn00000H35Jt", created_at: "2026-03-01T00:00:00Z" })).toBe(true)
    expect(canMatch({ actor_id: "jane' OR Id != null" })).toBe(false)
    const soql = soqlQuery("login_history", { actor_id: "jane' OR Id != null" }, { from: FROM, to: TO })
    expect(soql).toContain("AND Id = null ORDER BY")
    expect(soql).not.toContain("jane")
  })

  it("the first request of a read: the query resource at the pinned version, the SOQL in q, a batch size hint", () => {
    expect(queryCall("login_history", "62.0", { filters: {}, from: FROM, to: TO, limit: 500 })).toEqual({
      target: "/services/data/v62.0/query",
      query: { q: soqlQuery("login_history", {}, { from: FROM, to: TO }) },
      headers: { "Sforce-Query-Options": "batchSize=500" },
    })
  })

  it("readQueryResult: records, the next batch's URL and done; a batch not done without a next URL is refused", () => {
    const record = { attributes: { type: "LoginHistory", url: "/x" } }
    expect(
      readQueryResult({
        totalSize: 3,
        done: false,
        nextRecordsUrl: "/services/data/v62.0/query/01gX-1",
        records: [record],
      }),
    ).toEqual({ records: [record], nextUrl: "/services/data/v62.0/query/01gX-1", done: false })
    expect(readQueryResult({ totalSize: 1, done: true, records: [record] })).toEqual({
      records: [record],
      done: true,
    })
    expect(readQueryResult({ totalSize: 3, done: false, records: [record] })).toBeUndefined()
    expect(readQueryResult({ totalSize: 3, done: false, nextRecordsUrl: null, records: [] })).toBeUndefined()
    expect(
      readQueryResult([{ message: "Session expired or invalid", errorCode: "INVALID_SESSION_ID" }]),
    ).toBeUndefined()
  })
})

describe("requests and paging", () => {
  it("nextRecordsUrl: any locator under query or queryAll at the read's version is followed as given", () => {
    for (const next of [
      "/services/data/v62.0/query/01gD0000002HU6KIAW-2000",
      "/services/data/v62.0/query/0r8xx3k2ABC-500",
      "/services/data/v62.0/query/01gRO0000016PIAYA2",
      "/services/data/v62.0/query/01g_RO.00~16-2000",
      "/services/data/v62.0/queryAll/01g5e00001AH2dOAAT-4000",
    ])
      expect(followNextRecordsUrl(next, "62.0")).toEqual(Either.right({ target: next }))
  })

  it("nextRecordsUrl elsewhere is refused for good, naming the host or the path, before any request", () => {
    const refusal = (next: string) => {
      const refused = Either.getLeft(followNextRecordsUrl(next, "62.0"))
      if (refused._tag === "None") throw new Error(`${next} was followed`)
      return refused.value
    }
    for (const [foreign, host] of [
      ["https://evil.example/services/data/v62.0/query/01gRO0000016PIAYA2-2000", "evil.example"],
      ["//evil.example/services/data/v62.0/query/01gRO0000016PIAYA2-2000", "evil.example"],
      ["/\\evil.example/services/data/v62.0/query/01gRO0000016PIAYA2-2000", "evil.example"],
      // Salesforce hands back a path; even the account's own host spelled out is not what it documents.
      [
        "https://acme.my.salesforce.com/services/data/v62.0/query/01gRO0000016PIAYA2-2000",
        "acme.my.salesforce.com",
      ],
    ] as const) {
      expect(refusal(foreign)).toMatchObject({ _tag: "ContinuationRefused", host })
      expect(refusal(foreign).message).toContain(host)
    }
    for (const bad of [
      "/services/data/v62.0/sobjects/User",
      "/services/data/v62.0/query",
      "/services/data/v62.0/query/",
      "/services/data/v62.0/query/?q=SELECT+Id+FROM+User",
      "/services/data/v62.0/query/01gRO0000016PIAYA2-2000?q=SELECT+Id+FROM+User",
      "/services/data/v62.0/query/01gRO0000016PIAYA2-2000#x",
      "/services/data/v62.0/query/01gRO0000016PIAYA2-2000/../../sobjects/User",
      "/services/data/v62.0/query/..",
      "/services/data/v62.0/query/.",
      "/services/data/v62.0/query/..%2F..%2Fsobjects%2FUser",
      "/services/data/v62.0/query/%2e%2e",
      "/services/data/v61.0/query/01gRO0000016PIAYA2-2000",
      "/services/data/v62.0/queryall/01gRO0000016PIAYA2-2000",
      "services/data/v62.0/query/01gRO0000016PIAYA2-2000",
      "",
    ]) {
      const refused = refusal(bad)
      expect(refused._tag).toBe("ContinuationRefused")
      expect(refused.host).toBeUndefined()
      expect(refused.message).toContain("is not a query locator under /services/data/v62.0/query")
    }
  })

  it("the only paths a stream requests: the query resource and its batches", () => {
    for (const path of [
      "/services/data/v62.0/query",
      "/services/data/v62.0/query/01gRO0000016PIAYA2-2000",
      "/services/data/v62.0/query/01gRO0000016PIAYA2",
      "/services/data/v60.0/queryAll/0r8xx3k2ABC-500",
    ])
      expect(isQueryResourcePath(path)).toBe(true)
    for (const path of [
      "/services/data/v62.0/sobjects/User",
      "/services/data/v62.0/query/",
      "/services/data/v62.0/queryAll",
      "/services/data/v62.0/query/a/b",
      "/services/data/v62.0/query/..",
      "/services/data/v62.0/query/a%2Fb",
      "/services/oauth2/token",
    ])
      expect(isQueryResourcePath(path)).toBe(false)
  })

  it("batch size hint: 200 to 2,000", () => {
    expect(queryOptionsHeader(50)).toEqual({ "Sforce-Query-Options": "batchSize=200" })
    expect(queryOptionsHeader(500.7)).toEqual({ "Sforce-Query-Options": "batchSize=500" })
    expect(queryOptionsHeader(10_000)).toEqual({ "Sforce-Query-Options": "batchSize=2000" })
  })

  it("API version from settings, else the default; a malformed one is an error", () => {
    expect(apiVersionOf({})).toEqual(Either.right(DEFAULT_API_VERSION))
    expect(apiVersionOf({ api_version: "64.0" })).toEqual(Either.right("64.0"))
    for (const bad of ["v62.0", "62", "62.1", "47.0", "62.0/../../x"])
      expect(Either.isLeft(apiVersionOf({ api_version: bad }))).toBe(true)
  })
})
