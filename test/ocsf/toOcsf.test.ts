import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { parseConfig } from "../../src/config/loadConfig.ts"
import type { Activity } from "../../src/domain/Activity.ts"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { toOcsf } from "../../src/ocsf/toOcsf.ts"
import { activityRecord, encodeOcsf, routeActivity } from "../../src/pipeline/ActivityMessages.ts"
import { conformanceProblems } from "../support/ocsfConformance.ts"

// The cases the simulators do not all reach: lockouts, denied pushes, attempted users, raw_data's limits.

const account = {
  id: "0b5e4a52-8f0a-4a43-9a39-0c2a5b4f9b11",
  integration: "okta",
} as IntegratedAccount
const observedAt = "2026-11-25T20:00:00.000Z"
const activity = (fields: Partial<Activity>): Activity => ({
  id: "evt-1",
  created_at: "2026-11-25T19:57:06.000Z",
  actor: { type: "user", user: { id: "00u1" } },
  context: { ip_address: "203.0.113.9", user_agent: "Mozilla/5.0" },
  remote_data: { eventType: "x", big: "y".repeat(200) },
  ...fields,
})
/** The event of a record, checked against the OCSF 1.8.0 definitions on the way. */
const ocsfOf = (fields: Partial<Activity>, signIn?: { reason?: string; attempted_user?: string }) => {
  const event = toOcsf(activityRecord(account, activity(fields), observedAt, signIn))
  expect(conformanceProblems(event as unknown as Record<string, unknown>)).toEqual([])
  return event
}

const config = (kafka: string) =>
  Either.getOrThrow(
    parseConfig(
      "toOcsf.test",
      `server: { api_keys: [test-api-key-0123456789], cursor_secret: ${"s".repeat(40)} }\nkafka: ${kafka}\naccounts: []\n`,
      {},
    ),
  ).config.kafka

describe("toOcsf", () => {
  it("a failed sign-in: Authentication Logon, Failure, the reason and the user name tried", () => {
    const event = ocsfOf(
      { action: "login_failed" },
      { reason: "INVALID_CREDENTIALS", attempted_user: "a@x.io" },
    )
    expect(event).toMatchObject({
      class_uid: 3002,
      activity_id: 1,
      type_uid: 300201,
      status_id: 2,
      status: "Failure",
      status_detail: "INVALID_CREDENTIALS",
      severity_id: 2,
      user: { uid: "00u1", name: "a@x.io" },
      src_endpoint: { ip: "203.0.113.9" },
      http_request: { user_agent: "Mozilla/5.0" },
      service: { name: "okta" },
      time: Date.parse("2026-11-25T19:57:06.000Z"),
      metadata: {
        version: "1.8.0",
        uid: "evt-1",
        tenant_uid: account.id,
        original_time: "2026-11-25T19:57:06.000Z",
        logged_time: Date.parse(observedAt),
        product: { name: "Okta", vendor_name: "Okta" },
      },
    })
    expect(event.observables).toEqual(
      expect.arrayContaining([
        { name: "user.name", type: "User Name", type_id: 4, value: "a@x.io" },
        { name: "src_endpoint.ip", type: "IP Address", type_id: 2, value: "203.0.113.9" },
      ]),
    )
    expect(JSON.parse(event.raw_data ?? "{}")).toEqual(activity({}).remote_data)
  })

  it("raw failed sign-ins: a lockout is Account Change Lock, a denied push Authentication Other", () => {
    expect(ocsfOf({ action: "user.account.lock" }, { reason: "LOCKED_OUT" })).toMatchObject({
      class_uid: 3001,
      activity_id: 9,
      activity_name: "Lock",
      type_uid: 300109,
      status_detail: "LOCKED_OUT",
      severity_id: 3,
      user: { uid: "00u1" },
    })
    expect(ocsfOf({ action: "user.mfa.okta_verify.deny_push" }, {})).toMatchObject({
      class_uid: 3002,
      activity_id: 99,
      activity_name: "user.mfa.okta_verify.deny_push",
      type_uid: 300299,
      status_id: 2,
    })
    // The same raw type without sign_in (not a failed sign-in of its stream) is Entity Management, Other.
    expect(ocsfOf({ action: "user.account.lock" })).toMatchObject({ class_uid: 3004, activity_id: 99 })
  })

  it("account changes name the account changed; entity management the entity", () => {
    expect(ocsfOf({ action: "user_created", entity: "00u9", entity_type: "User" })).toMatchObject({
      type_uid: 300101,
      user: { uid: "00u9" },
      actor: { user: { uid: "00u1" } },
      unmapped: { entity_type: "User" },
    })
    expect(ocsfOf({ action: "destroy", entity: "42", entity_type: "ticket" })).toMatchObject({
      type_uid: 300404,
      entity: { uid: "42", type: "ticket" },
    })
    expect(ocsfOf({ action: undefined, description: "Changed a setting" })).toMatchObject({
      type_uid: 300400,
      activity_name: "Unknown",
      entity: { name: "okta" },
      message: "Changed a setting",
    })
  })

  it("raw_data follows kafka.remote_data: dropped, or left out over its cap with metadata.is_truncated", () => {
    const record = activityRecord(account, activity({ action: "login" }), observedAt)
    const dropped = JSON.parse(encodeOcsf(record, config("{ remote_data: { include: false } }")) ?? "")
    expect(dropped.raw_data).toBeUndefined()
    expect(dropped.metadata.is_truncated).toBeUndefined()
    const capped = JSON.parse(encodeOcsf(record, config("{ remote_data: { max_bytes: 64 } }")) ?? "")
    expect(capped.raw_data).toBeUndefined()
    expect(capped.metadata).toMatchObject({ is_truncated: true, untruncated_size: expect.any(Number) })
  })

  it("routeActivity adds the OCSF message only when enabled, keyed and typed as its class", () => {
    const login = activity({ action: "login" })
    expect(routeActivity(account, login, observedAt, config("{}")).map((m) => m.topic)).toEqual([
      "user-directory.activities",
    ])
    const routed = routeActivity(account, login, observedAt, config("{ ocsf: { enabled: true } }"))
    expect(routed.map((m) => m.topic)).toEqual([
      "user-directory.activities",
      "user-directory.activities.ocsf",
    ])
    expect(routed[1]?.message).toMatchObject({
      key: account.id,
      headers: {
        ce_type: "com.siem-connector.user-directory.ocsf.authentication",
        ce_dataschema: "urn:siem-connector:schemas/v1/ocsf.json",
        ce_id: "evt-1",
        dedupe_key: routed[0]?.message.headers?.dedupe_key,
      },
    })
  })
})
