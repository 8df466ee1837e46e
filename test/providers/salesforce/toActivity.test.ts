import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { mapRecord } from "../../../src/providers/mapRecord.ts"
import type { SalesforceLoginHistory } from "../../../src/providers/salesforce/SalesforceLoginHistory.ts"
import type { SalesforceSetupAuditTrail } from "../../../src/providers/salesforce/SalesforceSetupAuditTrail.ts"
import {
  loginHistoryToActivity,
  SetupAuditTrailActions,
  setupAuditTrailToActivity,
} from "../../../src/providers/salesforce/toActivity.ts"
import {
  loginHistoryStream,
  queryFixture,
  salesforceAccount,
  setupAuditTrailStream,
} from "./salesforceFixtures.ts"

const mapped = (stream: typeof loginHistoryStream, raw: unknown) => {
  const { remote_data, ...activity } = Either.getOrThrow(mapRecord(stream, salesforceAccount, raw))
  expect(remote_data).toBe(raw)
  return activity
}

const rejected = (stream: typeof loginHistoryStream, raw: unknown) =>
  Either.getOrThrow(Either.flip(mapRecord(stream, salesforceAccount, raw)))

describe("salesforce LoginHistory rows → Activity", () => {
  it("maps Rapid7's example page field by field; the id comes from attributes.url when Id is not selected", () => {
    const records = queryFixture("login_history/001.json").records
    expect(records.map((raw) => mapped(loginHistoryStream, raw))).toEqual([
      {
        id: "0YaHn0000EUyGdHKQV",
        actor: { type: "user", user: { id: "005Hn00000H35JtIAJ" } },
        action: "login",
        context: { ip_address: "198.51.100.1", authentication_method: "Remote Access 2.0" },
        created_at: "2023-07-23T16:18:23.000Z",
      },
      {
        id: "0YaHn0000EUyGkcKQF",
        actor: { type: "user", user: { id: "005Hn00000H35JtIAJ" } },
        action: "login",
        // Browser `Chrome 115` is a product name, not a user agent: no user_agent.
        context: { ip_address: "198.51.100.1", authentication_method: "Application" },
        created_at: "2023-07-23T16:20:13.000Z",
      },
    ])
  })

  it("every Status but Success is a failed login; a row without a user is anonymous; null fields are left out", () => {
    const records = queryFixture("login_history/002.json").records
    expect(records.map((raw) => mapped(loginHistoryStream, raw))).toEqual([
      {
        id: "0YaRO00000AbCdE0AV",
        actor: { type: "user", user: { id: "005RO000001XyZaYAK" } },
        action: "login_failed",
        context: { ip_address: "203.0.113.40", authentication_method: "Application" },
        created_at: "2026-03-02T08:59:59.000Z",
      },
      {
        id: "0YaRO00000AbCdF0AV",
        actor: { type: "user", user: { id: "005RO000001XyZaYAK" } },
        action: "login_failed",
        context: { ip_address: "203.0.113.40", authentication_method: "Application" },
        created_at: "2026-03-02T09:00:00.000Z",
      },
      {
        id: "0YaRO00000AbCdG0AV",
        actor: { type: "user", user: { id: "005RO000002QwErYAK" } },
        action: "login",
        context: { ip_address: "198.51.100.7", authentication_method: "Remote Access 2.0" },
        created_at: "2026-03-02T09:00:00.000Z",
      },
      {
        id: "0YaRO00000AbCdH0AV",
        actor: { type: "anonymous" },
        action: "login_failed",
        context: { authentication_method: "SAML Idp Initiated SSO" },
        created_at: "2026-03-02T09:00:01.000Z",
      },
    ])
  })

  it("Success is matched exactly: any other casing or text is a failure", () => {
    const row: SalesforceLoginHistory = {
      Id: "0YaHn0000EUyGdHKQV",
      LoginTime: "2023-07-23T16:18:23.000+0000",
      Status: "Success",
    }
    const action = (Status: string) =>
      Either.getOrThrow(loginHistoryToActivity({ ...row, Status }, salesforceAccount)).action
    expect(action("Success")).toBe("login")
    for (const status of [
      "success",
      "Password Lockout",
      "Failed: API security token required",
      "Invalid Password",
    ])
      expect(action(status)).toBe("login_failed")
    // No SourceIp and no LoginType: no context at all.
    expect(Either.getOrThrow(loginHistoryToActivity(row, salesforceAccount))).not.toHaveProperty("context")
  })

  it("malformed rows are rejected with a reason", () => {
    const good = {
      attributes: {
        type: "LoginHistory",
        url: "/services/data/v62.0/sobjects/LoginHistory/0YaHn0000EUyGdHKQV",
      },
      LoginTime: "2023-07-23T16:18:23.000+0000",
      Status: "Success",
    }
    const { Status: _s, ...noStatus } = good
    expect(rejected(loginHistoryStream, noStatus)).toMatchObject({
      stage: "decode",
      reason: expect.stringContaining("Status"),
    })
    expect(rejected(loginHistoryStream, { ...good, Status: "" })).toMatchObject({ stage: "decode" })
    expect(rejected(loginHistoryStream, { ...good, LoginTime: "2023-07-23 16:18:23" })).toMatchObject({
      stage: "decode",
      reason: expect.stringContaining("Salesforce dateTime"),
    })
    expect(
      rejected(loginHistoryStream, { ...good, LoginTime: "2023-02-30T16:18:23.000+0000" }),
    ).toMatchObject({
      stage: "decode",
    })
    const { attributes: _a, ...noId } = good
    expect(rejected(loginHistoryStream, noId)).toMatchObject({
      stage: "decode",
      reason: expect.stringContaining("Salesforce id"),
    })
    expect(rejected(loginHistoryStream, { ...noId, Id: "0YaHn0000EUyGdHKQX" })).toMatchObject({
      stage: "decode",
    })
    expect(rejected(loginHistoryStream, "not a row")).toMatchObject({ stage: "decode" })
    // toActivity guards on its own for a row that reached it without decoding.
    const failure = Either.getOrThrow(
      Either.flip(
        loginHistoryToActivity(
          { Id: "0YaHn0000EUyGdHKQV", LoginTime: "yesterday", Status: "Success" },
          salesforceAccount,
        ),
      ),
    )
    expect(failure.reason).toBe(
      'salesforce LoginHistory row 0YaHn0000EUyGdHKQV has an unparseable LoginTime: "yesterday"',
    )
  })
})

describe("salesforce SetupAuditTrail rows → Activity", () => {
  it("maps Elastic's example row field by field: an Action without a unified counterpart stays raw", () => {
    const [raw] = queryFixture("setup_audit_trail/001.json").records
    expect(mapped(setupAuditTrailStream, raw)).toEqual({
      id: "0Ym5j000019nwonCAA",
      actor: { type: "user", user: { id: "0055j000000utlPAAQ" } },
      action: "insertConnectedApplication",
      created_at: "2022-08-16T09:26:38.000Z",
    })
  })

  it("createduser and deactivateduser are user lifecycle actions; a row without a creator is the system's", () => {
    const activities = queryFixture("setup_audit_trail/002.json").records.map((raw) =>
      mapped(setupAuditTrailStream, raw),
    )
    expect(activities).toEqual([
      {
        id: "0YmRO00000Q7uVw0AJ",
        actor: { type: "user", user: { id: "005RO000003AdMnYAK" } },
        action: "user_created",
        created_at: "2026-03-02T10:15:07.000Z",
      },
      {
        id: "0YmRO00000Q7uVx0AJ",
        actor: { type: "user", user: { id: "005RO000003AdMnYAK" } },
        action: "user_deactivated",
        created_at: "2026-03-02T10:15:07.000Z",
      },
      {
        id: "0YmRO00000Q7uVy0AJ",
        actor: { type: "system" },
        action: "frozeuser",
        created_at: "2026-03-02T10:16:41.000Z",
      },
    ])
  })

  it("the action table is compared case-insensitively; everything else is the raw code", () => {
    expect(SetupAuditTrailActions).toEqual({
      createduser: "user_created",
      deactivateduser: "user_deactivated",
    })
    const row: SalesforceSetupAuditTrail = {
      Id: "0Ym5j000019nwonCAA",
      Action: "createduser",
      CreatedDate: "2022-08-16T09:26:38.000+0000",
    }
    const action = (Action: string) =>
      Either.getOrThrow(setupAuditTrailToActivity({ ...row, Action }, salesforceAccount)).action
    expect(action("CreatedUser")).toBe("user_created")
    expect(action("DEACTIVATEDUSER")).toBe("user_deactivated")
    for (const raw of [
      "activateduser",
      "changedPassword",
      "resetpassword",
      "PermSetAssign",
      "suOrgAdminLogin",
    ])
      expect(action(raw)).toBe(raw)
  })

  it("malformed rows are rejected with a reason", () => {
    const good = {
      Id: "0Ym5j000019nwonCAA",
      Action: "createduser",
      CreatedDate: "2022-08-16T09:26:38.000+0000",
    }
    const { Action: _a, ...noAction } = good
    expect(rejected(setupAuditTrailStream, noAction)).toMatchObject({
      stage: "decode",
      reason: expect.stringContaining("Action"),
    })
    expect(rejected(setupAuditTrailStream, { ...good, CreatedDate: 1660641998000 })).toMatchObject({
      stage: "decode",
    })
    expect(rejected(setupAuditTrailStream, { ...good, Id: "0Ym5j000019nwon' OR Id != '" })).toMatchObject({
      stage: "decode",
    })
  })
})
