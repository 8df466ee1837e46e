import { createHash } from "node:crypto"
import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { Either, Redacted } from "effect"
import { describe, expect, it } from "vitest"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import { canonicalJson, teamEventId } from "../../../src/providers/dropbox/DropboxTeamEvent.ts"
import { teamEvents } from "../../../src/providers/dropbox/streams/teamEvents.ts"
import { mapRecord } from "../../../src/providers/mapRecord.ts"

// Each fixture event mapped field by field, per the spec's output matrix for Dropbox (id, actor, action,
// context, created_at; remote_data the event as received).

const account: IntegratedAccount = {
  id: "dropbox-fixture-account",
  integration: "dropbox",
  baseUrl: new URL("https://api.dropboxapi.com"),
  credentials: { _tag: "Bearer", token: Redacted.make("unused-by-mapping") },
  settings: {},
}

const eventsOf = (file: string): unknown[] =>
  (
    JSON.parse(
      readFileSync(resolve(import.meta.dirname, "../../fixtures/dropbox/team_events", file), "utf8"),
    ) as { events: unknown[] }
  ).events

const map = (raw: unknown) => {
  const mapped = mapRecord(teamEvents, account, raw)
  if (Either.isLeft(mapped)) throw new Error(mapped.left.reason)
  return mapped.right
}

const sha = (raw: unknown) => createHash("sha256").update(canonicalJson(raw)).digest("hex")

describe("dropbox team event → Activity", () => {
  it("the documented example (shared_content_download)", () => {
    const [raw] = eventsOf("001.json")
    expect(map(raw)).toEqual({
      id: sha(raw),
      actor: { type: "user", user: { id: "dbid:AAHgR8xsQP48a5DQUGPo-Vxsrjd0OByVmho" } },
      action: "shared_content_download",
      context: { ip_address: "45.56.78.100" },
      created_at: "2017-01-25T15:51:30.000Z",
      remote_data: raw,
    })
  })

  it("login_success and login_fail: the unified actions and the login method", () => {
    const [success, fail] = eventsOf("002.json")
    expect(map(success)).toEqual({
      id: sha(success),
      actor: { type: "user", user: { id: "dbid:AAHgR8xsQP48a5DQUGPo-Vxsrjd0OByVmho" } },
      action: "login",
      context: { ip_address: "45.56.78.100", authentication_method: "saml" },
      created_at: "2017-01-25T15:50:02.000Z",
      remote_data: success,
    })
    expect(map(fail)).toEqual({
      id: sha(fail),
      actor: { type: "user", user: { id: "dbid:AAHgR8xsQP48a5DQUGPo-Vxsrjd0OByVmho" } },
      action: "login_failed",
      context: { ip_address: "45.56.78.100", authentication_method: "password" },
      created_at: "2017-01-25T15:49:40.000Z",
      remote_data: fail,
    })
  })

  it("logout, an admin's member_change_status (raw), an app (system) and an anonymous actor", () => {
    const [logout, status, app, anonymous] = eventsOf("003.json")
    expect(map(logout)).toMatchObject({
      action: "logout",
      actor: { type: "user", user: { id: "dbid:AAHgR8xsQP48a5DQUGPo-Vxsrjd0OByVmho" } },
      context: { ip_address: "45.56.78.100" },
      created_at: "2017-01-25T16:10:00.000Z",
    })
    expect(map(logout).context).not.toHaveProperty("authentication_method")
    expect(map(status)).toEqual({
      id: sha(status),
      actor: { type: "user", user: { id: "dbid:AAGx4oiLtHdvRdNxUpvvJBXYgR4BS19c9kw" } },
      action: "member_change_status",
      context: { ip_address: "198.51.100.23" },
      created_at: "2017-01-25T16:05:00.000Z",
      remote_data: status,
    })
    expect(map(app)).toEqual({
      id: sha(app),
      actor: { type: "system" },
      action: "app_link_team",
      created_at: "2017-01-25T16:06:00.000Z",
      remote_data: app,
    })
    expect(map(anonymous)).toEqual({
      id: sha(anonymous),
      actor: { type: "anonymous" },
      action: "shared_link_view",
      created_at: "2017-01-25T16:07:00.000Z",
      remote_data: anonymous,
    })
  })

  it("the id ignores key order and whitespace but not content", () => {
    const [raw] = eventsOf("002.json") as Array<Record<string, unknown>>
    const reordered = Object.fromEntries(Object.entries(raw ?? {}).reverse())
    expect(teamEventId(reordered)).toBe(teamEventId(raw))
    expect(teamEventId({ ...raw, timestamp: "2017-01-25T15:50:03Z" })).not.toBe(teamEventId(raw))
    expect(teamEventId(raw)).toMatch(/^[0-9a-f]{64}$/)
  })

  it("an event without a timestamp or event type is a decode failure carrying the raw event", () => {
    const [raw] = eventsOf("002.json") as Array<Record<string, unknown>>
    const { timestamp: _t, ...noTime } = raw ?? {}
    const { event_type: _e, ...noType } = raw ?? {}
    for (const broken of [noTime, noType, { ...raw, timestamp: "2017-02-30T10:00:00Z" }]) {
      const mapped = mapRecord(teamEvents, account, broken)
      expect(Either.isLeft(mapped)).toBe(true)
      if (Either.isLeft(mapped)) expect(mapped.left.raw).toBe(broken)
    }
  })
})
