import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Either, Redacted } from "effect"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import { confluence } from "../../../src/providers/confluence/index.ts"
import { auditRecordId, canonicalJson } from "../../../src/providers/confluence/recordId.ts"
import { mapRecord } from "../../../src/providers/mapRecord.ts"

const [auditRecords] = confluence.streams
const account: IntegratedAccount = {
  id: "confluence-fixture-account",
  integration: "confluence",
  baseUrl: new URL("https://example.atlassian.net"),
  credentials: { _tag: "Bearer", token: Redacted.make("unused-by-mapping") },
  settings: {},
}
const records = JSON.parse(
  readFileSync(resolve(import.meta.dirname, "../../fixtures/confluence/audit_records/001.json"), "utf8"),
).answer.body.results as Array<Record<string, unknown>>

const HEX_SHA256 = /^[0-9a-f]{64}$/

describe("confluence audit records → Activity", () => {
  it("maps a real Cloud record field by field, only the fields the spec lists for Confluence", () => {
    const raw = records[0]
    const { remote_data, ...activity } = Either.getOrThrow(mapRecord(auditRecords, account, raw))
    expect(activity).toEqual({
      id: auditRecordId(raw),
      actor: { type: "user", user: { id: "df856b17d84fcf010f11fcfcc6be4267" } },
      description: "Space logo uploaded",
      entity_type: "Space",
      context: { ip_address: "81.2.69.143" },
      created_at: "2022-01-25T07:51:51.962Z",
    })
    expect(activity.id).toMatch(HEX_SHA256)
    // Neither action nor entity for Confluence (the spec): the affected object has a name, no id.
    expect(activity).not.toHaveProperty("action")
    expect(activity).not.toHaveProperty("entity")
    expect(remote_data).toBe(raw)
  })

  it("System (no account id) is the system actor, though author.type says user", () => {
    const activity = Either.getOrThrow(mapRecord(auditRecords, account, records[1]))
    expect(activity.actor).toEqual({ type: "system" })
    expect(activity).toMatchObject({ description: "User added to group", entity_type: "Group" })
  })

  it("the id is the hex SHA-256 of the canonical record: blind to key order, sensitive to any value", () => {
    const raw = records[2] as Record<string, unknown>
    const id = auditRecordId(raw)
    const reordered = Object.fromEntries(Object.entries(raw).reverse())
    expect(Either.getOrThrow(mapRecord(auditRecords, account, reordered)).id).toBe(id)
    expect(canonicalJson({ b: [{ d: 1, c: "é" }], a: null })).toBe('{"a":null,"b":[{"c":"é","d":1}]}')
    expect(
      Either.getOrThrow(mapRecord(auditRecords, account, { ...raw, remoteAddress: "192.0.2.1" })).id,
    ).not.toBe(id)
    // Undocumented fields are kept (remote_data and the id see the whole record).
    const extended = Either.getOrThrow(mapRecord(auditRecords, account, { ...raw, newField: 1 }))
    expect(extended.id).toBe(auditRecordId({ ...raw, newField: 1 }))
  })

  it("a record without a usable creationDate is a typed failure carrying the record", () => {
    for (const creationDate of [undefined, "2022-01-25T07:51:51.962Z", -5]) {
      const raw = { ...records[0], creationDate }
      const rejected = mapRecord(auditRecords, account, raw)
      expect(Either.isLeft(rejected) && rejected.left).toMatchObject({ stage: "decode", raw })
    }
  })
})
