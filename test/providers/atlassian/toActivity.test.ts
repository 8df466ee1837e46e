import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { AtlassianEvent } from "../../../src/providers/atlassian/AtlassianEvent.ts"
import { atlassian } from "../../../src/providers/atlassian/index.ts"
import { toActivity } from "../../../src/providers/atlassian/toActivity.ts"
import { mapRecord, type RecordMapping } from "../../../src/providers/mapRecord.ts"
import { atlassianAccount, eventsFixture, pageFixture } from "./atlassianFixtures.ts"

/** The stream as the contract holds it, as far as mapping goes: decode, then map. */
const events: RecordMapping = { ...atlassian, record: AtlassianEvent, toActivity }

const only = <T>(items: ReadonlyArray<T>): T => {
  expect(items).toHaveLength(1)
  return items[0] as T
}

describe("atlassian organization events → Activity", () => {
  it("maps Panther's recorded impersonation event field by field, and nothing the spec does not list for Atlassian", () => {
    const { raw } = only(eventsFixture("events_stream/001.json"))
    const { remote_data, ...activity } = Either.getOrThrow(mapRecord(events, atlassianAccount, raw))
    expect(activity).toEqual({
      id: "2508d209-3336-4763-89a0-aceaf1322fcf",
      actor: { type: "user", user: { id: "1234567890abcdefghijklmn" } },
      organization: "ffff-ffff-fff",
      description: "Logged in as example.user@example.io",
      // An admin impersonating someone is not that person signing in: the raw key.
      action: "user_logged_in_as_user",
      created_at: "2022-12-15T00:35:15.890Z",
    })
    expect(remote_data).toBe(raw)
  })

  it("maps Sumo Logic's recorded event: location IP as context, the raw action", () => {
    const { event } = only(eventsFixture("events_stream/002.json"))
    expect(Either.getOrThrow(toActivity(event, atlassianAccount))).toEqual({
      id: "606a97f7-f2d9-4007-91a7-8adyc1s328bf",
      actor: { type: "user", user: { id: "557058:bd955be1-e2d3-41e4-a3be-70bf24d0444e" } },
      organization: "ffff-ffff-fff",
      description: "Viewed Jira issue WEB-21003",
      action: "jira_issue_viewed",
      context: { ip_address: "91.225.122.155" },
      created_at: "2024-10-03T10:44:26.457Z",
    })
  })

  it("an /events page (grove's): a time without milliseconds is normalised; undeclared fields pass", () => {
    const page = pageFixture("events/001.json")
    expect(page.meta?.next).toBeNull()
    const { raw } = only(eventsFixture("events/001.json"))
    const activity = Either.getOrThrow(mapRecord(events, atlassianAccount, raw))
    expect(activity).toMatchObject({
      id: "test_id",
      created_at: "2022-05-12T19:13:13.000Z",
      action: "test_action",
      context: { ip_address: "00.00.00.00" },
    })
    expect(activity.remote_data).toHaveProperty("relations", null)
  })

  it("sign-ins, sign-outs and user creation by the keys others record; token auth as the authentication method", () => {
    const event = (action: string, extra: object = {}) =>
      AtlassianEventOf({
        id: `evt-${action}`,
        attributes: { time: "2026-03-15T09:00:00.000Z", action, actor: { id: "acc-1" }, ...extra },
      })
    const action = (a: string) => Either.getOrThrow(toActivity(event(a), atlassianAccount)).action
    expect(action("user_login")).toBe("login")
    expect(action("user_logout")).toBe("logout")
    expect(action("user_created")).toBe("user_created")
    expect(action("user_granted_role")).toBe("user_granted_role")
    expect(action("toString")).toBe("toString")
    const viaToken = Either.getOrThrow(
      toActivity(
        event("group_created", { actor: { id: "acc-2", auth: { authType: "api-token", tokenId: "t1" } } }),
        atlassianAccount,
      ),
    )
    expect(viaToken.context).toEqual({ authentication_method: "api-token" })
    const noActor = Either.getOrThrow(
      toActivity(
        AtlassianEventOf({ ...event("x"), attributes: { time: "2026-03-15T09:00:00Z", action: "x" } }),
        atlassianAccount,
      ),
    )
    expect(noActor.actor).toEqual({ type: "system" })
    expect(noActor).not.toHaveProperty("context")
  })

  it("malformed events are rejected with a reason at decode: no id, no action, a time without zone", () => {
    const good = { id: "e1", attributes: { time: "2026-03-15T09:00:00Z", action: "user_login" } }
    const rejected = (raw: unknown) =>
      Either.getOrThrow(Either.flip(mapRecord(events, atlassianAccount, raw)))
    expect(rejected({ attributes: good.attributes })).toMatchObject({
      stage: "decode",
      reason: expect.stringContaining("id"),
    })
    expect(rejected({ ...good, attributes: { time: good.attributes.time } })).toMatchObject({
      stage: "decode",
      reason: expect.stringContaining("action"),
    })
    expect(
      rejected({ ...good, attributes: { ...good.attributes, time: "2026-03-15T09:00:00" } }),
    ).toMatchObject({
      stage: "decode",
      reason: expect.stringContaining("with a zone"),
    })
    // toActivity guards on its own for an event that reached it without decoding.
    const failure = Either.getOrThrow(
      Either.flip(
        toActivity(
          AtlassianEventOf({ ...good, attributes: { ...good.attributes, time: "soon" } }),
          atlassianAccount,
        ),
      ),
    )
    expect(failure.reason).toBe('atlassian event e1 has an unparseable time: "soon"')
  })
})

const AtlassianEventOf = (raw: object) => raw as AtlassianEvent
