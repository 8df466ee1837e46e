import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { mapRecord } from "../../../src/providers/mapRecord.ts"
import { AuditLogActions, auditLogToActivity } from "../../../src/providers/zendesk/toActivity.ts"
import type { ZendeskAuditLog } from "../../../src/providers/zendesk/ZendeskAuditLog.ts"
import { auditLogsStream, pageFixture, zendeskAccount } from "./zendeskFixtures.ts"

const mapped = (raw: unknown) => {
  const { remote_data, ...activity } = Either.getOrThrow(mapRecord(auditLogsStream, zendeskAccount, raw))
  expect(remote_data).toBe(raw)
  return activity
}
const rejected = (raw: unknown) =>
  Either.getOrThrow(Either.flip(mapRecord(auditLogsStream, zendeskAccount, raw)))

describe("zendesk audit logs → Activity", () => {
  it("maps Zendesk's documented example field by field, and nothing the spec does not list for Zendesk", () => {
    const [raw] = pageFixture("audit_logs/001.json").audit_logs
    expect(mapped(raw)).toEqual({
      id: "498483",
      actor: { type: "user", user: { id: "1234" } },
      description: "Role changed from Administrator to End User",
      action: "updated",
      entity: "3456",
      entity_type: "user",
      context: { ip_address: "209.119.38.228" },
      created_at: "2012-03-05T11:32:44.000Z",
    })
  })

  it("observed records: a role change, a ticket created (no action_label, no url)", () => {
    expect(pageFixture("audit_logs/002.json").audit_logs.map(mapped)).toEqual([
      {
        id: "123456789123",
        actor: { type: "user", user: { id: "123" } },
        description: "Role changed from Administrator to End User",
        action: "updated",
        entity: "123",
        entity_type: "user",
        context: { ip_address: "127.0.0.1" },
        created_at: "2021-05-28T18:39:50.000Z",
      },
      {
        id: "35436",
        actor: { type: "user", user: { id: "235323" } },
        description: "Created ticket",
        action: "create",
        entity: "35436",
        entity_type: "ticket",
        context: { ip_address: "192.168.1.1" },
        created_at: "2009-07-20T22:55:29.000Z",
      },
    ])
  })

  it("an empty change_description is no description", () => {
    const [raw] = pageFixture("audit_logs/003.json").audit_logs
    expect(mapped(raw)).toEqual({
      id: "123456789123",
      actor: { type: "user", user: { id: "123" } },
      action: "create",
      entity: "123",
      entity_type: "api_token",
      context: { ip_address: "127.0.0.1" },
      created_at: "2021-05-28T18:39:50.000Z",
    })
  })

  it("the five documented actions map; anything else stays raw; no actor is the system", () => {
    expect(AuditLogActions).toEqual({
      create: "create",
      destroy: "destroy",
      exported: "exported",
      login: "login",
      update: "updated",
    })
    const base: ZendeskAuditLog = {
      id: 1,
      action: "login",
      created_at: "2026-03-02T09:00:00Z",
      actor_id: null,
    }
    const activity = (record: Partial<ZendeskAuditLog>) =>
      Either.getOrThrow(auditLogToActivity({ ...base, ...record }, zendeskAccount))
    expect(activity({})).toEqual({
      id: "1",
      actor: { type: "system" },
      action: "login",
      created_at: "2026-03-02T09:00:00.000Z",
    })
    expect(activity({ action: "destroy" }).action).toBe("destroy")
    expect(activity({ action: "exported" }).action).toBe("exported")
    expect(activity({ action: "soft_destroy" }).action).toBe("soft_destroy")
    expect(activity({ action: "Update" }).action).toBe("Update")
    expect(activity({ source_id: 0, actor_id: 0 })).toMatchObject({
      entity: "0",
      actor: { user: { id: "0" } },
    })
  })

  it("malformed records are rejected with a reason", () => {
    const good = { id: 498483, action: "update", created_at: "2012-03-05T11:32:44Z" }
    expect(rejected({ ...good, id: "498483" })).toMatchObject({
      stage: "decode",
      reason: expect.stringContaining("id"),
    })
    expect(rejected({ ...good, id: 2 ** 53 + 2 })).toMatchObject({
      stage: "decode",
      reason: expect.stringContaining("below 2^53"),
    })
    expect(rejected({ ...good, id: 1.5 })).toMatchObject({ stage: "decode" })
    const { action: _a, ...noAction } = good
    expect(rejected(noAction)).toMatchObject({ stage: "decode", reason: expect.stringContaining("action") })
    expect(rejected({ ...good, created_at: "2012-03-05 11:32:44" })).toMatchObject({
      stage: "decode",
      reason: expect.stringContaining("with a zone"),
    })
    expect(rejected({ ...good, created_at: "2012-02-30T11:32:44Z" })).toMatchObject({ stage: "decode" })
    expect(rejected({ ...good, actor_id: "1234" })).toMatchObject({ stage: "decode" })
    expect(Either.flip(auditLogToActivity({ ...good, created_at: "never" }, zendeskAccount))).toEqual(
      Either.right({ reason: 'zendesk audit log 498483 has an unparseable created_at: "never"' }),
    )
  })
})
