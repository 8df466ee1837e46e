import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { ProviderRejected } from "../../../src/http/ProviderError.ts"
import { activityLogsPaging, isCursorRefused } from "../../../src/providers/figma/activityLogsPaging.ts"
import { figma } from "../../../src/providers/figma/index.ts"
import { activityLogs } from "../../../src/providers/figma/streams/activityLogs.ts"
import { eventsFor, FigmaActionTypes } from "../../../src/providers/figma/toActivity.ts"
import { mapRecord } from "../../../src/providers/mapRecord.ts"

const account = {
  id: "figma-fixture-account",
  integration: "figma",
  baseUrl: new URL("https://api.figma.com"),
  credentials: undefined as never,
  settings: {},
}
const query = { filters: {}, limit: 5000, from: undefined, to: undefined, now: 0 }
const event = {
  id: "1174394471627046930",
  timestamp: 1700000000,
  actor: { type: "user", id: "1099091282752443417", name: "Member", email: "member@figma.com" },
  action: { type: "user_sign_in", details: null },
  entity: { type: "user", id: "1099091282752443417", name: "Member", email: "member@figma.com" },
  context: {
    client_name: null,
    ip_address: "203.0.113.4",
    is_figma_support_team_action: false,
    org_id: "42",
    team_id: null,
  },
}

describe("figma mapping and requests, pure", () => {
  it("maps exactly the four actions the spec lets Figma filter by, and says which types each stands for", () => {
    expect(new Set(Object.values(FigmaActionTypes))).toEqual(new Set(figma.capabilities.actions))
    expect(eventsFor("login")).toEqual(["user_sign_in"])
    expect(eventsFor("logout")).toEqual(["user_sign_out"])
    expect(eventsFor("user_created")).toEqual(["org_user_create"])
    expect(eventsFor("user_deleted")).toEqual(["org_user_delete"])
    // The SCIM record of a user stays raw: the org_user_* event of the same provisioning is the one mapped.
    const scim = mapRecord(activityLogs, account, {
      ...event,
      action: { type: "idp_user_create", details: null },
    })
    expect(Either.getOrThrow(scim).action).toBe("idp_user_create")
  })

  it("a sign-in: the user, the org, the IP, the second as an ISO instant; remote_data the record as sent", () => {
    const { remote_data, ...activity } = Either.getOrThrow(mapRecord(activityLogs, account, event))
    expect(remote_data).toBe(event)
    expect(activity).toEqual({
      id: "1174394471627046930",
      actor: { type: "user", user: { id: "1099091282752443417" } },
      organization: "42",
      action: "login",
      entity: "1099091282752443417",
      entity_type: "user",
      context: { ip_address: "203.0.113.4" },
      created_at: "2023-11-14T22:13:20.000Z",
    })
  })

  it("an event without an id, or with a text timestamp, is a decode rejection carrying the raw record", () => {
    const { id: _id, ...withoutId } = event
    for (const raw of [withoutId, { ...event, timestamp: "2023-11-14T22:13:20Z" }]) {
      const rejected = mapRecord(activityLogs, account, raw)
      expect(Either.isLeft(rejected)).toBe(true)
      if (Either.isLeft(rejected)) expect(rejected.left).toMatchObject({ raw, stage: "decode" })
    }
  })

  it("requests: the page size within Figma's 1000; created_at floored to its second; action as events", () => {
    expect(activityLogsPaging.first(query).query).toEqual({
      events: undefined,
      start_time: undefined,
      limit: "1000",
      order: "asc",
    })
    const filtered = {
      ...query,
      limit: 50,
      from: Date.parse("2024-05-01T10:00:00.999Z"),
      filters: { action: "user_deleted" as const },
    }
    expect(activityLogsPaging.first(filtered).query).toEqual({
      events: "org_user_delete",
      start_time: String(Date.parse("2024-05-01T10:00:00Z") / 1000),
      limit: "50",
      order: "asc",
    })
    // Without a cursor (Figma answered none), the position's second is where the read starts again.
    const next = Either.getOrThrow(
      activityLogsPaging.next({ since: "2024-05-01T10:00:05.000Z", seen: ["a"] }, filtered),
    )
    expect(next.query?.start_time).toBe(String(Date.parse("2024-05-01T10:00:05Z") / 1000))
  })

  it("a 400 naming the cursor is a refused cursor; other 400s are not", () => {
    const rejected = (message: string) => new ProviderRejected({ integration: "figma", status: 400, message })
    expect(isCursorRefused(rejected("figma 400: Invalid or expired cursor"))).toBe(true)
    expect(isCursorRefused(rejected("figma 400: limit must be an integer"))).toBe(false)
  })
})
