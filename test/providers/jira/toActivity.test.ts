import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Either, Redacted } from "effect"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import { jira } from "../../../src/providers/jira/index.ts"
import { mapRecord } from "../../../src/providers/mapRecord.ts"

const [auditRecords] = jira.streams
const account: IntegratedAccount = {
  id: "jira-fixture-account",
  integration: "jira",
  baseUrl: new URL("https://example.atlassian.net"),
  credentials: { _tag: "Bearer", token: Redacted.make("unused-by-mapping") },
  settings: {},
}
const records = (file: string): unknown[] =>
  JSON.parse(readFileSync(resolve(import.meta.dirname, "../../fixtures/jira/audit_records", file), "utf8"))
    .answer.body.records

describe("jira audit records → Activity", () => {
  it("maps the reference's example field by field, only the fields the spec lists for Jira", () => {
    const [raw] = records("001.json")
    const { remote_data, ...activity } = Either.getOrThrow(mapRecord(auditRecords, account, raw))
    expect(activity).toEqual({
      id: "1",
      actor: { type: "user", user: { id: "5ab8f18d741e9c2c7e9d4538" } },
      description: "User created",
      entity: "user",
      entity_type: "USER",
      context: { ip_address: "192.168.1.1" },
      created_at: "2014-03-19T18:45:42.967Z",
    })
    // No action for Jira (the spec), though the summary reads like one.
    expect(activity).not.toHaveProperty("action")
    expect(remote_data).toBe(raw)
  })

  it("records without an author are the system's; a group is named by its name; no address, no context", () => {
    const [projectDeleted, groupJoined] = records("002.json").map((raw) =>
      Either.getOrThrow(mapRecord(auditRecords, account, raw)),
    )
    expect(projectDeleted?.actor).toEqual({ type: "system" })
    expect(projectDeleted).not.toHaveProperty("context")
    expect(groupJoined).toMatchObject({ entity: "jira-software-users", entity_type: "GROUP" })
  })

  it("offsets with or without a colon, and Z, give one instant; a zone-less or missing time is a typed failure", () => {
    const base = { id: 7, summary: "User created" }
    const at = (created: string) =>
      Either.getOrThrow(mapRecord(auditRecords, account, { ...base, created })).created_at
    expect(at("2022-01-24T10:48:05.645+0200")).toBe("2022-01-24T08:48:05.645Z")
    expect(at("2022-01-24T10:48:05.645+02:00")).toBe("2022-01-24T08:48:05.645Z")
    expect(at("2022-01-24T08:48:05.645Z")).toBe("2022-01-24T08:48:05.645Z")
    for (const created of ["2022-01-24T08:48:05.645", "yesterday"]) {
      const rejected = mapRecord(auditRecords, account, { ...base, created })
      expect(Either.isLeft(rejected) && rejected.left).toMatchObject({ stage: "decode", raw: { created } })
    }
    expect(
      Either.isLeft(
        mapRecord(auditRecords, account, { summary: "no id", created: "2022-01-24T08:48:05.645Z" }),
      ),
    ).toBe(true)
  })
})
