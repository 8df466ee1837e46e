import { readFileSync } from "node:fs"
import { Either, Redacted, Schema } from "effect"
import { describe, expect, it } from "vitest"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import { AsanaAuditLogPage } from "../../../src/providers/asana/AsanaAuditLogEvent.ts"
import { eventTypeFor } from "../../../src/providers/asana/auditLogPaging.ts"
import { auditLogEvents } from "../../../src/providers/asana/streams/auditLogEvents.ts"
import { actionOf } from "../../../src/providers/asana/toActivity.ts"
import { mapRecord } from "../../../src/providers/mapRecord.ts"

// The documented example records (test/fixtures/asana/README.md) mapped field by field, as the spec's output
// matrix has Asana fill them: id, actor, organization, action, entity, entity_type, context, created_at.

const account: IntegratedAccount = {
  id: "asana-fixture-account",
  integration: "asana",
  baseUrl: new URL("https://app.asana.com"),
  credentials: { _tag: "Bearer", token: Redacted.make("unused-by-mapping") },
  settings: { organization_id: "1201234567890123" },
}

const only = (file: string) => {
  const text = readFileSync(new URL(`../../fixtures/asana/audit_log_events/${file}`, import.meta.url), "utf8")
  const [raw] = Schema.decodeUnknownSync(AsanaAuditLogPage)(JSON.parse(text)).data
  const mapped = mapRecord(auditLogEvents, account, raw)
  if (Either.isLeft(mapped)) throw new Error(mapped.left.reason)
  const { remote_data, ...activity } = mapped.right
  expect(remote_data).toEqual(raw)
  return activity
}

describe("asana audit log events as Activities", () => {
  it("Panther's failed login: login_failed, the user, the IP, the login method as authentication method", () => {
    expect(only("001.json")).toEqual({
      id: "222222222",
      actor: { type: "user", user: { id: "2222222" } },
      organization: "1201234567890123",
      action: "login_failed",
      entity: "2222222",
      entity_type: "user",
      context: { ip_address: "8.8.8.8", authentication_method: "ONE_TIME_KEY" },
      created_at: "2021-10-21T23:38:10.364Z",
    })
  })

  it("Panther's normal login: login", () => {
    expect(only("002.json")).toMatchObject({ id: "222222222", action: "login" })
    expect(only("002.json").context).toEqual({ ip_address: "8.8.8.8", authentication_method: "ONE_TIME_KEY" })
  })

  it("Panther's service account creation: user_created, the new account as the entity, the user agent", () => {
    expect(only("003.json")).toEqual({
      id: "12345",
      actor: { type: "user", user: { id: "12345" } },
      organization: "1201234567890123",
      action: "user_created",
      entity: "12345",
      entity_type: "user",
      context: {
        ip_address: "12.12.12.12",
        user_agent:
          "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/108.0.0.0 Safari/537.36",
      },
      created_at: "2022-12-16T19:28:18.396Z",
    })
  })

  it("Panther's org export: exported, on the workspace", () => {
    expect(only("004.json")).toMatchObject({
      action: "exported",
      entity: "12345",
      entity_type: "workspace",
      created_at: "2022-12-16T19:26:08.434Z",
    })
  })

  it("the reference's example: a deleted task is destroy; the API method is the authentication method; no description", () => {
    const activity = only("005.json")
    expect(activity).toEqual({
      id: "12345",
      actor: { type: "user", user: { id: "1111" } },
      organization: "1201234567890123",
      action: "destroy",
      entity: "1111",
      entity_type: "task",
      context: {
        ip_address: "1.1.1.1",
        user_agent:
          "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/51.0.2704.103 Safari/537.36",
        authentication_method: "cookie",
      },
      created_at: "2021-01-01T00:00:00.000Z",
    })
    expect(activity).not.toHaveProperty("description")
  })

  it("actors without a gid: Asana itself is the system, anonymous stays anonymous", () => {
    const base = { gid: "1", created_at: "2026-01-02T03:04:05+02:00", event_type: "user_deprovisioned" }
    const system = mapRecord(auditLogEvents, account, { ...base, actor: { actor_type: "asana" } })
    expect(Either.getOrThrow(system)).toMatchObject({
      actor: { type: "system" },
      action: "user_deactivated",
      created_at: "2026-01-02T01:04:05.000Z",
    })
    const anonymous = mapRecord(auditLogEvents, account, {
      ...base,
      event_type: "user_login_failed",
      actor: { actor_type: "anonymous" },
    })
    expect(Either.getOrThrow(anonymous).actor).toEqual({ type: "anonymous" })
  })

  it("raw types without a clear unified meaning stay raw; undeleting is not destroying", () => {
    expect(actionOf("task_undeleted")).toBe("task_undeleted")
    expect(actionOf("user_reprovisioned")).toBe("user_reprovisioned")
    expect(actionOf("project_permanently_deleted")).toBe("destroy")
    expect(actionOf("service_account_deleted")).toBe("user_deleted")
    expect(actionOf("team_created")).toBe("create")
  })

  it("an action filter reaches Asana as event_type only where one raw type carries it", () => {
    expect(eventTypeFor("login")).toBe("user_login_succeeded")
    expect(eventTypeFor("user_deleted")).toBe("service_account_deleted")
    expect(eventTypeFor("destroy")).toBeUndefined()
    expect(eventTypeFor("exported")).toBeUndefined()
    expect(eventTypeFor("workspace_export_started")).toBe("workspace_export_started")
  })

  it("a record without a gid, or with a zone-less time, is refused with the reason", () => {
    const missing = mapRecord(auditLogEvents, account, {
      created_at: "2026-01-02T03:04:05Z",
      event_type: "x",
    })
    expect(Either.isLeft(missing) && missing.left.reason).toMatch(/gid/)
    const zoneless = mapRecord(auditLogEvents, account, {
      gid: "1",
      created_at: "2022-12-16 19:28:18.396",
      event_type: "x",
    })
    expect(Either.isLeft(zoneless) && zoneless.left.stage).toBe("decode")
  })
})
