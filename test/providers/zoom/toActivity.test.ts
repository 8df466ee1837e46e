import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { fc, test } from "@fast-check/vitest"
import { Either } from "effect"
import { stableActivityId } from "../../../src/domain/Activity.ts"
import { mapRecord } from "../../../src/providers/mapRecord.ts"
import { zoom } from "../../../src/providers/zoom/index.ts"
import { activityLogId, operationLogId } from "../../../src/providers/zoom/recordId.ts"
import { activityLogToActivity, operationLogToActivity } from "../../../src/providers/zoom/toActivity.ts"
import type { ZoomActivityLog } from "../../../src/providers/zoom/ZoomActivityLog.ts"
import type { ZoomOperationLog } from "../../../src/providers/zoom/ZoomOperationLog.ts"
import { activityFixture, operationFixture, zoomAccount } from "./zoomFixtures.ts"

/** The streams as the contract holds them: decode, then map. */
const [activitiesStream, operationLogsStream] = zoom.streams

const SYNTHETIC_ID = /^[A-Za-z0-9_-]{32}$/

const only = <T>(items: ReadonlyArray<T>): T => {
  expect(items).toHaveLength(1)
  return items[0] as T
}

describe("zoom sign-in / sign-out rows → Activity", () => {
  it("maps Zoom's documented example field by field, and nothing the spec does not list for Zoom", () => {
    const { raw, row } = only(activityFixture("001.json"))
    const { remote_data, ...activity } = Either.getOrThrow(mapRecord(activitiesStream, zoomAccount, raw))
    expect(activity).toEqual({
      id: activityLogId(row),
      actor: { type: "user", user: { id: "user@example.com" } },
      description: "Sign out",
      action: "logout",
      // client_type `Browser` and version `5.9.1.2581` are not a user agent: no user_agent.
      context: { ip_address: "192.0.2.1" },
      created_at: "2019-09-15T19:13:41.000Z",
    })
    expect(activity.id).toMatch(SYNTHETIC_ID)
    expect(remote_data).toBe(raw)
  })

  it("sign-ins are logins; two sign-ins in one second are two activities", () => {
    const rows = activityFixture("002.json")
    const activities = rows.map(({ row }) => Either.getOrThrow(activityLogToActivity(row, zoomAccount)))
    expect(activities.map((a) => [a.action, a.created_at, a.actor?.user?.id])).toEqual([
      ["login", "2023-02-22T21:50:44.000Z", "test@test.com"],
      ["login", "2023-02-22T21:44:44.000Z", "test2@test.com"],
      ["login", "2023-02-22T21:44:44.000Z", "test@test.com"],
      ["logout", "2023-02-22T21:41:41.000Z", "test@test.com"],
    ])
    expect(new Set(activities.map((a) => a.id)).size).toBe(4)
  })

  it("the synthetic id is stable: same row, same id, whatever the field order, extra fields or time form", () => {
    const { row } = only(activityFixture("001.json"))
    const id = activityLogId(row)
    const reordered = Object.fromEntries(Object.entries(row).reverse()) as ZoomActivityLog
    expect(activityLogId(reordered)).toBe(id)
    expect(activityLogId({ ...row, time: "2019-09-15T19:13:41.000Z" })).toBe(id)
    expect(activityLogId({ ...row, time: "2019-09-15T21:13:41+02:00" })).toBe(id)
    expect(activityLogId({ ...row, ip_address: "192.0.2.2" })).not.toBe(id)
    expect(activityLogId({ ...row, type: "Sign in" })).not.toBe(id)
    // An undocumented field does not take part: a field Zoom adds later does not re-id old rows.
    const decoded = Either.getOrThrow(
      mapRecord(activitiesStream, zoomAccount, { ...(row as object), session_id: "abc" }),
    )
    expect(decoded.id).toBe(id)
    expect(decoded.remote_data).toHaveProperty("session_id", "abc")
  })

  it("an unknown type keeps Zoom's value; a missing address leaves context out", () => {
    const activity = Either.getOrThrow(
      activityLogToActivity(
        { email: "a@example.com", time: "2026-03-01T10:00:00Z", type: "Sign in (SSO)", ip_address: null },
        zoomAccount,
      ),
    )
    expect(activity).toEqual({
      id: expect.stringMatching(SYNTHETIC_ID),
      actor: { type: "user", user: { id: "a@example.com" } },
      description: "Sign in (SSO)",
      action: "Sign in (SSO)",
      created_at: "2026-03-01T10:00:00.000Z",
    })
  })

  it("malformed rows are rejected with a reason: decode for a missing email or a time without zone, map for a bad time", () => {
    const good = { email: "a@example.com", time: "2026-03-01T10:00:00Z", type: "Sign in" }
    const rejected = (raw: unknown) =>
      Either.getOrThrow(Either.flip(mapRecord(activitiesStream, zoomAccount, raw)))
    const { email: _, ...noEmail } = good
    expect(rejected(noEmail)).toMatchObject({ stage: "decode", reason: expect.stringContaining("email") })
    expect(rejected({ ...good, time: "2026-03-01T10:00:00" })).toMatchObject({
      stage: "decode",
      reason: expect.stringContaining("with a zone"),
    })
    expect(rejected({ ...good, time: "2026-02-30T10:00:00Z" })).toMatchObject({ stage: "decode" })
    expect(rejected({ ...good, time: 1_700_000_000 })).toMatchObject({ stage: "decode" })
    // toActivity guards on its own for a row that reached it without decoding.
    const failure = Either.getOrThrow(
      Either.flip(activityLogToActivity({ ...good, time: "not a date" }, zoomAccount)),
    )
    expect(failure.reason).toBe('zoom activities row has an unparseable time: "not a date"')
  })
})

describe("zoom operation-log rows → Activity", () => {
  it("maps Zoom's documented example field by field: deactivation is user_deactivated, activation an update", () => {
    const rows = operationFixture("001.json")
    const activities = rows.map(({ raw }) => {
      const { remote_data, ...activity } = Either.getOrThrow(mapRecord(operationLogsStream, zoomAccount, raw))
      expect(remote_data).toBe(raw)
      return activity
    })
    expect(activities).toEqual([
      {
        id: operationLogId(rows[0]?.row as ZoomOperationLog),
        actor: { type: "user", user: { id: "someuser@sfksfhksdfsf.com" } },
        description: "Activate User sjkfhdsf@jdfgkhgd.com",
        action: "updated",
        created_at: "2019-08-20T19:09:01.000Z",
      },
      {
        id: operationLogId(rows[1]?.row as ZoomOperationLog),
        actor: { type: "user", user: { id: "anotheruser@sfhidshfidshufds.com" } },
        description: "Deactivate User mynewemail@jdfkdshfhjdsf.ffasdm",
        action: "user_deactivated",
        created_at: "2019-08-20T18:59:56.000Z",
      },
    ])
    for (const activity of activities) expect(activity.id).toMatch(SYNTHETIC_ID)
  })

  it("observed rows: a user added is user_created, a settings update updated, a batch role change keeps its raw action", () => {
    const activities = operationFixture("002.json").map(({ row }) =>
      Either.getOrThrow(operationLogToActivity(row, zoomAccount)),
    )
    expect(activities.map((a) => [a.action, a.description])).toEqual([
      ["updated", "Sign-in Methods  - Allow users to sign in with Google: from Off to On"],
      ["Batch Update", "Change Role  - homer.simpson@duff.io: from User to Co-Owner"],
      ["user_created", "Add User homer@simpson.io  - User Type: Basic - Department: Foo"],
    ])
  })

  it("the rules table: user deleted, other categories' add/update/delete, anything else raw", () => {
    const action = (category_type: string, act: string, operation_detail = "") =>
      Either.getOrThrow(
        operationLogToActivity(
          {
            time: "2026-03-01T10:00:00Z",
            operator: "admin@example.com",
            category_type,
            action: act,
            operation_detail,
          },
          zoomAccount,
        ),
      ).action
    // `Delete User …` is the wording the simulator uses; only Update rows appear in Zoom's own examples.
    expect(action("User", "Delete", "Delete User x@example.com")).toBe("user_deleted")
    expect(action("user", "add")).toBe("user_created")
    expect(action("Role", "Add", "Add Role Auditors")).toBe("create")
    expect(action("Account", "Update")).toBe("updated")
    expect(action("Recording", "Delete", "Delete Recording - Weekly sync")).toBe("destroy")
    expect(action("User", "Update", "  Deactivate User y@example.com ")).toBe("user_deactivated")
    expect(action("Zoom Rooms", "Transfer")).toBe("Transfer")
  })

  it("no detail means no description, no context; its id is not the sign-in report's", () => {
    const row = { time: "2026-03-01T10:00:00Z", operator: "a@example.com", action: "Sign in" }
    const activity = Either.getOrThrow(operationLogToActivity(row, zoomAccount))
    expect(activity).not.toHaveProperty("description")
    expect(activity).not.toHaveProperty("context")
    expect(activity.id).not.toBe(activityLogId({ email: "a@example.com", time: row.time, type: "Sign in" }))
  })

  it("malformed rows are rejected with a reason", () => {
    const good = { time: "2026-03-01T10:00:00Z", operator: "a@example.com", action: "Update" }
    const rejected = (raw: unknown) =>
      Either.getOrThrow(Either.flip(mapRecord(operationLogsStream, zoomAccount, raw)))
    const { operator: _, ...noOperator } = good
    expect(rejected(noOperator)).toMatchObject({
      stage: "decode",
      reason: expect.stringContaining("operator"),
    })
    expect(rejected({ ...good, time: "yesterday" })).toMatchObject({
      stage: "decode",
      reason: expect.stringContaining("time"),
    })
    expect(Either.flip(operationLogToActivity({ ...good, time: "never" }, zoomAccount))).toEqual(
      Either.right({ reason: 'zoom operation_logs row has an unparseable time: "never"' }),
    )
  })
})

describe("zoom synthetic ids (stableActivityId)", () => {
  test.prop([fc.array(fc.oneof(fc.jsonValue(), fc.string({ unit: "grapheme" })), { maxLength: 8 })], {
    numRuns: 2_000,
  })(
    "are the first 32 characters of the base64url SHA-256 of the fields' JSON, as createHash wrote them",
    (fields) => {
      const before = createHash("sha256")
        .update(JSON.stringify(["zoom", ...fields]))
        .digest("base64url")
        .slice(0, 32)
      expect(stableActivityId("zoom", fields)).toBe(before)
    },
  )
})
