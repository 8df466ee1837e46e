import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import { GitHubAuditLogEvent } from "../../../src/providers/github/GitHubAuditLogEvent.ts"
import { github } from "../../../src/providers/github/index.ts"
import { auditEventId, canonicalJson, syntheticEventId } from "../../../src/providers/github/recordId.ts"
import { toActivity, unifiedActionOf } from "../../../src/providers/github/toActivity.ts"
import { mapRecord, type RecordMapping } from "../../../src/providers/mapRecord.ts"
import { auditLogFixture, githubAccount } from "./githubFixtures.ts"

/** The stream as the contract holds it, as far as mapping goes: decode, then map. */
const auditLog: RecordMapping = { ...github, record: GitHubAuditLogEvent, toActivity }

const HEX_SHA256 = /^[0-9a-f]{64}$/

describe("github audit-log events → Activity", () => {
  it("maps GitHub's documented example field by field, and nothing the spec does not list for GitHub", () => {
    const rows = auditLogFixture("001.json")
    const activities = rows.map(({ raw }) => {
      const { remote_data, ...activity } = Either.getOrThrow(mapRecord(auditLog, githubAccount, raw))
      expect(remote_data).toBe(raw)
      return activity
    })
    expect(activities).toEqual([
      {
        id: "xJJFlFOhQ6b-5vaAFy9Rjw",
        actor: { type: "user", user: { id: "octocat" } },
        organization: "octo-corp",
        action: "team.add_member",
        created_at: "2020-12-02T17:24:34.512Z",
      },
      {
        id: "Vqvg6kZ4MYqwWRKFDzlMoQ",
        actor: { type: "user", user: { id: "octocat" } },
        organization: "octocat-test-org",
        action: "create",
        created_at: "2020-11-27T19:58:37.008Z",
      },
      {
        id: "LwW2vpJZCDS-WUmo9Z-ifw",
        actor: { type: "user", user: { id: "monalisa" } },
        organization: "mona-org",
        action: "destroy",
        created_at: "2020-11-18T17:05:48.837Z",
      },
    ])
    // No description, entity, entity_type, group or context: the spec lists none of them for GitHub.
    for (const activity of activities) {
      expect(Object.keys(activity).sort()).toEqual(["action", "actor", "created_at", "id", "organization"])
    }
  })

  it("recorded older events: created_at fallback, synthetic ids, membership actions unified, the request org as fallback", () => {
    const rows = auditLogFixture("002.json")
    const activities = rows.map(({ event }) => Either.getOrThrow(toActivity(event, githubAccount)))
    expect(activities.map((a) => [a.action, a.created_at, a.organization])).toEqual([
      ["user_invited", "2020-03-04T23:26:22.722Z", "Example-Org"],
      ["user_joined", "2020-03-04T23:42:30.878Z", "Example-Org"],
      ["create", "2020-03-09T14:16:13.109Z", "Example-Org"],
      ["create", "2021-01-25T23:41:32.215Z", "Example-Org"],
      ["team.add_member", "2021-01-25T23:44:26.125Z", "Example-Org"],
      ["create", "2021-01-25T23:16:23.742Z", "Example-Org"],
      ["repo.transfer", "2021-04-29T21:50:30.516Z", "Example-Org"],
      // No `org` on the event: the organization the request was made for.
      ["pull_request.merge", "2021-04-26T21:59:35.960Z", "octo-corp"],
    ])
    for (const [i, activity] of activities.entries()) {
      expect(activity.id).toMatch(HEX_SHA256)
      expect(activity.id).toBe(syntheticEventId(rows[i]?.raw))
      expect(activity.actor).toEqual({ type: "user", user: { id: "github-actor" } })
    }
    expect(new Set(activities.map((a) => a.id)).size).toBe(rows.length)
  })

  it("the synthetic id hashes the whole event canonically: key order never changes it, any field does", () => {
    const [{ raw } = { raw: {} }] = auditLogFixture("002.json")
    const reordered = Object.fromEntries(Object.entries(raw as object).reverse())
    expect(syntheticEventId(reordered)).toBe(syntheticEventId(raw))
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[2,{"e":0,"f":1}]},"b":1}',
    )
    expect(syntheticEventId({ ...(raw as object), user: "someone-else" })).not.toBe(syntheticEventId(raw))
    // An undocumented field is part of the event, and decoding keeps it: the mapped id is the raw's hash.
    const extra = { ...(raw as object), request_id: "A1B2:C3D4" }
    const mapped = Either.getOrThrow(mapRecord(auditLog, githubAccount, extra))
    expect(mapped.id).toBe(syntheticEventId(extra))
    expect(auditEventId({ _document_id: "" })).toMatch(HEX_SHA256)
  })

  it("actors: actor_id when present, bots and actor-less events as system", () => {
    const base = { "@timestamp": 1_700_000_000_000, action: "org.add_member", org: "octo-corp" }
    const actor = (extra: object) =>
      Either.getOrThrow(toActivity(GitHubAuditLogEventOf({ ...base, ...extra }), githubAccount)).actor
    expect(actor({ actor: "octocat", actor_id: 583231 })).toEqual({ type: "user", user: { id: "583231" } })
    expect(actor({ actor: "dependabot[bot]", actor_id: 49699333 })).toEqual({
      type: "system",
      user: { id: "49699333" },
    })
    expect(actor({ actor: "some-app", actor_id: 7, actor_is_bot: true })).toEqual({
      type: "system",
      user: { id: "7" },
    })
    expect(actor({})).toEqual({ type: "system" })
  })

  it("the action table: membership names, create/destroy operations, everything else raw", () => {
    expect(unifiedActionOf("org.invite_member")).toBe("user_invited")
    expect(unifiedActionOf("org.add_member")).toBe("user_joined")
    expect(unifiedActionOf("org.remove_member")).toBe("user_deleted")
    expect(unifiedActionOf("team.destroy")).toBe("destroy")
    expect(unifiedActionOf("environment.delete")).toBe("destroy")
    expect(unifiedActionOf("hook.create")).toBe("create")
    for (const raw of ["team.add_member", "org.update_member", "org.sso_response", "org.cancel_invitation"]) {
      expect(unifiedActionOf(raw)).toBe(raw)
    }
  })

  it("malformed events are rejected with a reason: decode for a missing action or a bad time, map for no time", () => {
    const rejected = (raw: unknown) => Either.getOrThrow(Either.flip(mapRecord(auditLog, githubAccount, raw)))
    expect(rejected({ "@timestamp": 1_700_000_000_000, actor: "octocat" })).toMatchObject({
      stage: "decode",
      reason: expect.stringContaining("action"),
    })
    expect(rejected({ "@timestamp": "yesterday", action: "repo.create" })).toMatchObject({ stage: "decode" })
    expect(rejected({ "@timestamp": -5, action: "repo.create" })).toMatchObject({ stage: "decode" })
    expect(rejected({ action: "repo.create", _document_id: "abc" })).toEqual({
      raw: { action: "repo.create", _document_id: "abc" },
      stage: "map",
      reason: "github audit event abc has no usable @timestamp or created_at",
    })
  })
})

const GitHubAuditLogEventOf = (raw: object) => raw as GitHubAuditLogEvent

describe("github audit-log events with a time a Date cannot hold", () => {
  it("an @timestamp beyond Date's range is refused at the map stage, not thrown", () => {
    const [first] = auditLogFixture("001.json")
    const raw = { ...(first?.raw as object), "@timestamp": 1e21 }
    const mapped = mapRecord(auditLog, githubAccount, raw)
    expect(Either.isLeft(mapped) && mapped.left.stage).toBe("map")
    expect(Either.isLeft(mapped) && mapped.left.reason).toMatch(/no usable @timestamp or created_at/)
  })
})
