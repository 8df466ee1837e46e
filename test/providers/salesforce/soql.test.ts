import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import {
  idChecksum,
  isSalesforceId,
  soqlDateTime,
  soqlString,
} from "../../../src/providers/salesforce/soql.ts"
import { readFilters, soqlQuery } from "../../../src/providers/salesforce/tailQuery.ts"
import { type Condition, parseSoql } from "../../../src/simulators/salesforce/soqlQuery.ts"

// Values never change a query's shape. Checked with the simulator's SOQL parser, which reads SOQL's escapes as
// Salesforce documents them: whatever goes in, the query still has exactly the conditions it was built with.

const HOSTILE = [
  "x' OR Id != '",
  "x\\' OR Id != \\'",
  "\\",
  "'",
  "''",
  '"',
  "a\nb\r\tc",
  "\u0000\u0007\b\f\u001f\u007f",
  "x') OR (Id != null",
  "%_ LIKE '%",
  "005' ORDER BY Id LIMIT 1 --",
  "é 日本 🙂 \u2028",
  "\\u0027",
  "\\' OR Id != null OR Id = \\'",
]

const conditionsOf = (soql: string): Condition => {
  const parsed = parseSoql(soql)
  if (Either.isLeft(parsed)) throw new Error(`${parsed.left.errorCode}: ${parsed.left.message}\n${soql}`)
  if (parsed.right.where === undefined) throw new Error("no WHERE")
  return parsed.right.where
}

describe("soqlString", () => {
  it("escapes per SOQL's string-literal rules", () => {
    expect(soqlString("Bob's BBQ")).toBe("'Bob\\'s BBQ'")
    expect(soqlString("a\\b")).toBe("'a\\\\b'")
    expect(soqlString('say "hi"')).toBe("'say \\\"hi\\\"'")
    expect(soqlString("l1\nl2\r\tx")).toBe("'l1\\nl2\\r\\tx'")
    expect(soqlString("\u0000\b")).toBe("'\\u0000\\u0008'")
    // Wildcards mean nothing outside LIKE, and `\%` would be an error there: left as they are.
    expect(soqlString("50%_off")).toBe("'50%_off'")
  })

  it("hostile values stay one literal: the parsed query has one comparison, holding the value exactly", () => {
    for (const value of HOSTILE) {
      const where = conditionsOf(`SELECT Id FROM SetupAuditTrail WHERE Action = ${soqlString(value)}`)
      expect(where).toMatchObject({ kind: "compare", op: "=", literal: { kind: "string", value } })
    }
  })

  it("without escaping, the same values would change the query: the check can fail", () => {
    const naive = (value: string) => `SELECT Id FROM SetupAuditTrail WHERE Action = '${value}'`
    const injected = conditionsOf(naive("x' OR Action != '"))
    expect(injected.kind).toBe("or")
    expect(Either.isLeft(parseSoql(naive("\\")))).toBe(true)
  })
})

describe("salesforce ids", () => {
  it("accepts 15-character ids and 18-character ids whose checksum matches", () => {
    for (const id of ["005Hn00000H35JtIAJ", "0YaHn0000EUyGdHKQV", "0Ym5j000019nwonCAA", "005Hn00000H35Jt"])
      expect([id, isSalesforceId(id)]).toEqual([id, true])
    expect(idChecksum("005Hn00000H35Jt")).toBe("IAJ")
    // The suffix is case-insensitive (it exists to survive case-folding tools).
    expect(isSalesforceId("005Hn00000H35Jtiaj")).toBe(true)
  })

  it("refuses anything else, hostile values included", () => {
    for (const id of [
      "",
      "005Hn00000H35JtIAK",
      "005Hn00000H35J",
      "005Hn00000H35JtIAJX",
      "005Hn00000H35J'",
      "005' OR Id != '",
      "005Hn00000H35Jt\n",
      " 005Hn00000H35Jt",
      "005Hn00000H35Jt%",
      ...HOSTILE,
    ])
      expect([id, isSalesforceId(id)]).toEqual([id, false])
  })
})

describe("soqlDateTime", () => {
  it("writes the documented unquoted form, floored to the second", () => {
    expect(soqlDateTime(Date.parse("2024-06-01T00:00:00.999Z"))).toBe("2024-06-01T00:00:00Z")
    expect(soqlDateTime(Date.parse("2024-06-01T02:00:00+02:00"))).toBe("2024-06-01T00:00:00Z")
  })
})

describe("hostile filter values never reach SOQL", () => {
  it("an actor_id that is not a Salesforce id is a rejection naming actor_id, and never reaches the query", () => {
    for (const actor_id of HOSTILE) {
      expect(readFilters({ actor_id })).toEqual(
        Either.left({ param: "actor_id", message: expect.stringContaining("Salesforce user id") }),
      )
      const where = conditionsOf(soqlQuery("login_history", { actor_id }, {}))
      expect(where).toEqual({
        kind: "compare",
        field: expect.objectContaining({ name: "Id" }),
        op: "=",
        literal: { kind: "null" },
      })
    }
  })

  it("a valid actor_id is one more condition; the query keeps its shape", () => {
    const soql = soqlQuery(
      "login_history",
      { actor_id: "005Hn00000H35JtIAJ" },
      { from: Date.parse("2026-03-01T00:00:00Z"), to: Date.parse("2026-03-02T12:00:00Z") },
    )
    expect(conditionsOf(soql)).toMatchObject({
      kind: "and",
      parts: [
        { kind: "compare", field: { name: "LoginTime" }, op: ">=" },
        { kind: "compare", field: { name: "LoginTime" }, op: "<" },
        { kind: "compare", field: { name: "UserId" }, op: "=", literal: { value: "005Hn00000H35JtIAJ" } },
      ],
    })
  })
})
