import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import {
  apiVersionOf,
  DEFAULT_API_VERSION,
  nextRecordsUrl,
  planQuery,
  queryOptionsHeader,
  queryUrl,
  readFilters,
} from "../../../src/providers/salesforce/tailQuery.ts"
import { parseSoql } from "../../../src/simulators/salesforce/soqlQuery.ts"

const NOW = Date.parse("2026-03-02T12:00:00.400Z")
const instance = new URL("https://acme.my.salesforce.com")

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

describe("planQuery", () => {
  it("LoginHistory: from the position inclusive, to now less the settle margin, oldest first, ties by Id", () => {
    const plan = planQuery("login_history", {}, { since: "2026-03-02T09:00:00.000Z" }, { nowMs: NOW })
    expect(plan).toEqual({
      _tag: "Query",
      soql:
        "SELECT Id, UserId, LoginTime, LoginType, LoginUrl, SourceIp, Status, Application, Browser, Platform, " +
        "ApiType, ApiVersion, AuthenticationServiceId, CountryIso, LoginSubType, TlsProtocol, CipherSuite " +
        "FROM LoginHistory WHERE LoginTime >= 2026-03-02T09:00:00Z AND LoginTime <= 2026-03-02T11:59:30Z " +
        "ORDER BY LoginTime ASC, Id ASC",
      until: "2026-03-02T11:59:30.000Z",
    })
    if (plan._tag === "Query") expect(Either.isRight(parseSoql(plan.soql))).toBe(true)
  })

  it("SetupAuditTrail: CreatedDate, and actor_id on CreatedById", () => {
    const plan = planQuery(
      "setup_audit_trail",
      { actorId: "005Hn00000H35JtIAJ" },
      { since: "2026-03-02T09:00:00.750Z" },
      { nowMs: NOW, settleMs: 0 },
    )
    expect(plan).toEqual({
      _tag: "Query",
      soql:
        "SELECT Id, Action, Section, CreatedDate, CreatedById, CreatedByContext, CreatedByIssuer, DelegateUser, " +
        "Display, ResponsibleNamespacePrefix FROM SetupAuditTrail WHERE CreatedDate >= 2026-03-02T09:00:00Z AND " +
        "CreatedDate <= 2026-03-02T12:00:00Z AND CreatedById = '005Hn00000H35JtIAJ' ORDER BY CreatedDate ASC, Id ASC",
      until: "2026-03-02T12:00:00.000Z",
    })
    if (plan._tag === "Query") expect(Either.isRight(parseSoql(plan.soql))).toBe(true)
  })

  it("a created_at filter later than the position is the start; nothing to ask when the start is past now − settle", () => {
    const plan = planQuery(
      "login_history",
      { createdAtMs: Date.parse("2026-03-02T11:00:00Z") },
      { since: "2026-03-01T00:00:00.000Z" },
      { nowMs: NOW },
    )
    expect(plan._tag === "Query" && plan.soql).toContain("LoginTime >= 2026-03-02T11:00:00Z")
    expect(planQuery("login_history", {}, { since: "2026-03-02T11:59:40.000Z" }, { nowMs: NOW })).toEqual({
      _tag: "NothingYet",
    })
    // Within the settle margin's second the query still runs.
    expect(planQuery("login_history", {}, { since: "2026-03-02T11:59:30.900Z" }, { nowMs: NOW })._tag).toBe(
      "Query",
    )
  })
})

describe("requests and paging", () => {
  it("the query goes to the account's instance at the pinned version, q URL-encoded", () => {
    const url = queryUrl(
      new URL("https://acme.my.salesforce.com/ignored/path"),
      "62.0",
      "SELECT Id FROM LoginHistory",
    )
    expect(url.origin).toBe("https://acme.my.salesforce.com")
    expect(url.pathname).toBe("/services/data/v62.0/query")
    expect(url.searchParams.get("q")).toBe("SELECT Id FROM LoginHistory")
    expect(url.search).toBe("?q=SELECT+Id+FROM+LoginHistory")
  })

  it("nextRecordsUrl is a locator path on the account's instance; any other host or path is refused", () => {
    expect(
      Either.getOrThrow(nextRecordsUrl(instance, "/services/data/v62.0/query/01gRO0000016PIAYA2-2000")).href,
    ).toBe("https://acme.my.salesforce.com/services/data/v62.0/query/01gRO0000016PIAYA2-2000")
    for (const foreign of [
      "https://evil.example/services/data/v62.0/query/01gRO0000016PIAYA2-2000",
      "//evil.example/services/data/v62.0/query/01gRO0000016PIAYA2-2000",
      "https://acme.my.salesforce.com.evil.example/services/data/v62.0/query/01g-2000",
    ]) {
      expect(
        Either.getLeft(nextRecordsUrl(instance, foreign)).pipe((l) => l._tag === "Some" && l.value._tag),
      ).toBe("ForeignHostRefused")
    }
    for (const bad of [
      "/services/data/v62.0/sobjects/User",
      "/services/data/v62.0/query/?q=SELECT+Id+FROM+User",
      "/services/data/v62.0/query/01gRO0000016PIAYA2-2000/../../sobjects/User",
      "https://acme.my.salesforce.com/services/data/v62.0/query/01gRO0000016PIAYA2-2000",
      "",
    ]) {
      expect(
        Either.getLeft(nextRecordsUrl(instance, bad)).pipe((l) => l._tag === "Some" && l.value._tag),
      ).toBe("ProviderBadResponse")
    }
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
