import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import {
  auditCall,
  loginCall,
  readHubSpotPage,
  securityCall,
} from "../../../src/providers/hubspot/activityQuery.ts"
import { auditLogs } from "../../../src/providers/hubspot/streams/auditLogs.ts"
import { loginHistory } from "../../../src/providers/hubspot/streams/loginHistory.ts"
import { securityActivity } from "../../../src/providers/hubspot/streams/securityActivity.ts"
import { AuditLogActions, SecurityTypeActions } from "../../../src/providers/hubspot/toActivity.ts"
import { mapRecord, type RecordMapping } from "../../../src/providers/mapRecord.ts"
import { hubspotAccount, pageFixture } from "./hubspotFixtures.ts"

const mappedBy = (stream: RecordMapping) => (raw: unknown) => {
  const { remote_data, ...activity } = Either.getOrThrow(mapRecord(stream, hubspotAccount, raw))
  expect(remote_data).toBe(raw)
  return activity
}
const rejectedBy = (stream: RecordMapping) => (raw: unknown) =>
  Either.getOrThrow(Either.flip(mapRecord(stream, hubspotAccount, raw)))

describe("hubspot login history → Activity", () => {
  it("maps HubSpot's documented example field by field, and nothing the spec does not list for HubSpot", () => {
    const [raw] = pageFixture("login_history/001.json").results
    expect(mappedBy(loginHistory)(raw)).toEqual({
      id: "5432653",
      actor: { type: "user", user: { id: "876" } },
      action: "login",
      context: { ip_address: "45.56.67.89", user_agent: "Mozilla/5.0 (Linux; Android 11; M2101K6G)" },
      created_at: "2022-04-01T19:36:24.303Z",
    })
  })

  it("a failed attempt is login_failed; one without userId is anonymous", () => {
    expect(pageFixture("login_history/002.json").results.map(mappedBy(loginHistory))).toEqual([
      {
        id: "5432654",
        actor: { type: "user", user: { id: "877" } },
        action: "login_failed",
        context: {
          ip_address: "203.0.113.24",
          user_agent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
        },
        created_at: "2022-04-01T19:40:02.000Z",
      },
      {
        id: "5432655",
        actor: { type: "anonymous" },
        action: "login_failed",
        context: { ip_address: "203.0.113.25" },
        created_at: "2022-04-01T19:41:10.120Z",
      },
    ])
  })

  it("a record without id, loginAt with no zone, or no loginSucceeded is rejected with the raw record and reason", () => {
    const [raw] = pageFixture("login_history/001.json").results as ReadonlyArray<Record<string, unknown>>
    const { id: _id, ...noId } = raw ?? {}
    const { loginSucceeded: _s, ...noOutcome } = raw ?? {}
    for (const bad of [
      noId,
      { ...raw, loginAt: "2022-04-01T19:36:24" },
      noOutcome,
      { ...raw, userId: "876" },
    ]) {
      const rejected = rejectedBy(loginHistory)(bad)
      expect(rejected.raw).toBe(bad)
      expect(rejected.reason).not.toBe("")
    }
  })
})

describe("hubspot security activity → Activity", () => {
  it("maps HubSpot's documented example field by field: ADD_USER is user_created, objectId the entity", () => {
    const [raw] = pageFixture("security_activity/001.json").results
    expect(mappedBy(securityActivity)(raw)).toEqual({
      id: "5432653",
      actor: { type: "user", user: { id: "876" } },
      action: "user_created",
      entity: "7654",
      context: { ip_address: "45.56.67.89" },
      created_at: "2022-04-01T19:36:24.303Z",
    })
  })

  it("exports are exported, REMOVE_USER user_deleted, a type with no clear mapping stays raw; times to UTC", () => {
    expect(pageFixture("security_activity/002.json").results.map(mappedBy(securityActivity))).toEqual([
      {
        id: "5432660",
        actor: { type: "user", user: { id: "876" } },
        action: "exported",
        entity: "99120",
        context: { ip_address: "45.56.67.89" },
        created_at: "2022-04-02T08:00:00.000Z",
      },
      {
        id: "5432661",
        actor: { type: "user", user: { id: "876" } },
        action: "user_deleted",
        entity: "7655",
        created_at: "2022-04-02T07:05:12.500Z",
      },
      {
        id: "5432662",
        actor: { type: "user", user: { id: "878" } },
        action: "CHANGE_PASSWORD",
        created_at: "2022-04-02T09:00:00.000Z",
      },
    ])
    expect(SecurityTypeActions.REACTIVATE_USER).toBeUndefined()
  })

  it("a record without userId or type is rejected", () => {
    const [raw] = pageFixture("security_activity/001.json").results as ReadonlyArray<Record<string, unknown>>
    const { userId: _u, ...noUser } = raw ?? {}
    const { type: _t, ...noType } = raw ?? {}
    for (const bad of [noUser, noType]) expect(rejectedBy(securityActivity)(bad).raw).toBe(bad)
  })
})

describe("hubspot audit log → Activity", () => {
  const mark = { type: "user", user: { id: "89274502" } }

  it("maps the guide's documented examples field by field: UPDATE is updated, CREATE create, the target the entity", () => {
    expect(pageFixture("audit_logs/001.json").results.map(mappedBy(auditLogs))).toEqual([
      {
        id: "jAzNiQgaEZUTlJISRtESldLGFNM",
        actor: mark,
        action: "updated",
        entity: "Sales Pipeline",
        created_at: "2025-02-07T20:58:49.529Z",
      },
      {
        id: "FQVHSQEHchIJDy0EB14CAhcEFC9PAAAMHEgSBjscGkQHOgoWFlkcXFZBWEZBFUNKUEEZ",
        actor: mark,
        action: "updated",
        entity: "97742230563",
        created_at: "2025-02-07T20:57:49.534Z",
      },
      {
        id: "IiI9cjoxLzduNVhVW0UeQAZXFkgVSwoGVFVCFUtYSlFATExEUQ1HGEBUURddEB8=",
        actor: mark,
        action: "create",
        entity: "97742230563",
        created_at: "2025-02-07T20:57:49.534Z",
      },
    ])
  })

  it("the reference page's example, LOGIN / LOGIN_SUCCEEDED, is login; its time gains milliseconds", () => {
    const [raw] = pageFixture("audit_logs/002.json").results
    expect(mappedBy(auditLogs)(raw)).toEqual({
      id: "5432653",
      actor: { type: "user", user: { id: "2931299" } },
      action: "login",
      entity: "1",
      created_at: "2023-11-07T05:31:56.000Z",
    })
  })

  it("PERFORM stays raw, DELETE is destroy, a LOGIN without LOGIN_SUCCEEDED is not login; optional fields may be absent", () => {
    expect(pageFixture("audit_logs/003.json").results.map(mappedBy(auditLogs))).toEqual([
      {
        id: "IJD5yIDYwIDtjXlBQRlxGFVxUSw==",
        actor: mark,
        action: "PERFORM",
        entity: "3581427",
        created_at: "2025-02-07T20:55:12.010Z",
      },
      {
        id: "KhQeBlgdUkYHDBFTRllXQk0aFB8NSlZL",
        actor: { type: "user", user: { id: "89274503" } },
        action: "destroy",
        entity: "18211590844",
        created_at: "2025-02-07T20:02:03.000Z",
      },
      {
        id: "Vw8QFhNQAhsHHkQdDlNUQ0IaHR4=",
        actor: { type: "user", user: { id: "89274504" } },
        action: "PERFORM",
        created_at: "2025-02-07T21:10:00.000Z",
      },
    ])
    expect(AuditLogActions).toEqual({ CREATE: "create", UPDATE: "updated", DELETE: "destroy" })
  })

  it("a record without id, actingUser.userId or a zoned occurredAt is rejected with the raw record", () => {
    const [raw] = pageFixture("audit_logs/001.json").results as ReadonlyArray<Record<string, unknown>>
    const { id: _id, ...noId } = raw ?? {}
    for (const bad of [
      noId,
      { ...raw, actingUser: { userEmail: "mark.scout@lumonindustries.com" } },
      { ...raw, actingUser: { userId: "89274502" } },
      { ...raw, occurredAt: "2025-02-07T20:58:49" },
    ]) {
      const rejected = rejectedBy(auditLogs)(bad)
      expect(rejected.raw).toBe(bad)
      expect(rejected.reason).not.toBe("")
    }
  })
})

describe("hubspot pages and requests", () => {
  const query = { filters: {}, limit: 500, from: 1_700_000_000_000, to: 1_700_000_060_000, now: 0 }

  it("paging.next.after is the next token; a page without paging, or an empty after, is the last", () => {
    expect(readHubSpotPage(pageFixture("login_history/001.json"))?.token).toBe("NTQzMjY1Mw%3D%3D")
    expect(readHubSpotPage(pageFixture("login_history/002.json"))?.token).toBeUndefined()
    expect(readHubSpotPage({ results: [], paging: { next: { after: "" } } })?.token).toBeUndefined()
    expect(readHubSpotPage({ data: [] })).toBeUndefined()
    expect(readHubSpotPage(pageFixture("audit_logs/001.json"))?.token).toBe("MTczODk2MTg2OTUzNA%3D%3D")
    expect(readHubSpotPage(pageFixture("audit_logs/002.json"))?.token).toBeUndefined()
  })

  it("audit log: limit 100, sort=occurredAt, actingUserId, the range widened to hold either reading of the bounds", () => {
    expect(auditCall({ ...query, filters: { actor_id: "876", created_at: "x" } }, "abc")).toEqual({
      target: "/account-info/v3/activity/audit-logs",
      query: {
        limit: "100",
        sort: "occurredAt",
        actingUserId: "876",
        occurredAfter: "2023-11-14T22:13:19.999Z",
        occurredBefore: "2023-11-14T22:14:20.000Z",
        after: "abc",
      },
    })
  })

  it("login: limit always 200, userId from actor_id, no time parameter; security: epoch-ms range", () => {
    expect(loginCall({ ...query, filters: { actor_id: "876" } }, "abc")).toEqual({
      target: "/account-info/v3/activity/login",
      query: { limit: "200", userId: "876", after: "abc" },
    })
    expect(securityCall({ ...query, filters: { actor_id: "876", created_at: "x" } })).toEqual({
      target: "/account-info/v3/activity/security",
      query: {
        limit: "200",
        userId: "876",
        fromTimestamp: "1700000000000",
        toTimestamp: "1700000059999",
      },
    })
  })

  it("action=login leaves the security stream out; a non-numeric actor_id matches neither stream", () => {
    expect(loginHistory.canMatch?.({ action: "login" })).toBe(true)
    expect(securityActivity.canMatch?.({ action: "login" })).toBe(false)
    expect(loginHistory.canMatch?.({ actor_id: "someone@acme.example" })).toBe(false)
    expect(securityActivity.canMatch?.({ actor_id: "someone@acme.example" })).toBe(false)
    expect(securityActivity.canMatch?.({ actor_id: "876" })).toBe(true)
    expect(auditLogs.canMatch?.({ action: "login" })).toBe(true)
    expect(auditLogs.canMatch?.({ actor_id: "someone@acme.example" })).toBe(false)
  })

  it("the audit log is on only where the account's settings.audit_logs is true", () => {
    expect(auditLogs.enabledFor?.({})).toBe(false)
    expect(auditLogs.enabledFor?.({ audit_logs: "false" })).toBe(false)
    expect(auditLogs.enabledFor?.({ audit_logs: "true" })).toBe(true)
    expect(loginHistory.enabledFor).toBeUndefined()
  })
})
