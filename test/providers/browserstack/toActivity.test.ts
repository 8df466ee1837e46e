import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { Either, Schema } from "effect"
import { describe, expect, it } from "vitest"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import { browserstack } from "../../../src/providers/browserstack/index.ts"
import { canonicalJson, syntheticId } from "../../../src/providers/browserstack/recordId.ts"
import { ActivityKeyActions } from "../../../src/providers/browserstack/toActivity.ts"
import { mapRecord } from "../../../src/providers/mapRecord.ts"

const [auditLogs] = browserstack.streams
const account: IntegratedAccount = {
  id: "browserstack-fixture-account",
  integration: "browserstack",
  baseUrl: new URL("https://api.browserstack.com"),
  credentials: undefined as never,
  settings: {},
}
const page = (file: string) =>
  JSON.parse(
    readFileSync(resolve(import.meta.dirname, `../../fixtures/browserstack/audit_logs/${file}`), "utf8"),
  ).answer.body
const map = (raw: unknown) => mapRecord(auditLogs, account, raw)

describe("browserstack audit logs → Activity", () => {
  it("maps the sign-in field by field: synthetic id, actor id, description, login, context, created_at", () => {
    const [signedIn] = page("001.json").logs
    const activity = Either.getOrThrow(map(signedIn))
    expect(activity.id).toBe(syntheticId(signedIn))
    expect(activity.id).toMatch(/^[0-9a-f]{64}$/)
    expect(activity.actor).toEqual({ type: "user", user: { id: "4812301" } })
    expect(activity.description).toBe("Signed in")
    expect(activity.action).toBe("login")
    expect(activity.context).toEqual({ ip_address: "198.51.100.23", user_agent: signedIn.user_agent })
    expect(activity.created_at).toBe("2026-10-28T09:14:03.512Z")
    expect(activity.remote_data).toEqual(signedIn)
    // Only the spec's BrowserStack fields.
    expect(Object.keys(activity).sort()).toEqual(
      ["action", "actor", "context", "created_at", "description", "id", "remote_data"].sort(),
    )
  })

  it("maps a failed sign-in to login_failed with the actor's email as id; an unmapped key stays raw", () => {
    const [, failed, role] = page("001.json").logs
    const failedActivity = Either.getOrThrow(map(failed))
    expect(failedActivity.action).toBe("login_failed")
    expect(failedActivity.actor).toEqual({ type: "user", user: { id: "ben.lindqvist@acme.example" } })
    expect(failedActivity.context).toEqual({ ip_address: "203.0.113.77" })
    expect(Either.getOrThrow(map(role)).action).toBe("changed_role")
  })

  it("reads the alternative names: own id, string actor, epoch seconds, action, ip; unknown fields kept", () => {
    const [entry] = page("002.json").data
    const activity = Either.getOrThrow(map(entry))
    expect(activity.id).toBe("al_7f3c9a")
    expect(activity.actor).toEqual({ type: "user", user: { id: "scim@acme.example" } })
    expect(activity.action).toBe("user_created")
    expect(activity.context).toEqual({ ip_address: "198.51.100.9" })
    expect(activity.created_at).toBe(new Date(1793265600 * 1000).toISOString())
    expect(activity.remote_data).toEqual(entry)
    expect(Schema.decodeUnknownSync(auditLogs.record)(entry)).toMatchObject({ extra: { idp: "Okta" } })
  })

  it("the synthetic id is SHA-256 over canonical JSON: key order never matters", () => {
    const a = { b: 1, a: { d: [1, { y: 2, x: 1 }], c: "é" } }
    const b = { a: { c: "é", d: [1, { x: 1, y: 2 }] }, b: 1 }
    expect(canonicalJson(a)).toBe('{"a":{"c":"é","d":[1,{"x":1,"y":2}]},"b":1}')
    expect(syntheticId(a)).toBe(syntheticId(b))
  })

  it("an entry without a usable time or without an actor is a mapping failure carrying the raw record", () => {
    for (const raw of [
      { activity: "signed_in", actor: { id: 1 } },
      { activity: "signed_in", actor: { id: 1 }, timestamp: "yesterday" },
      { activity: "signed_in", timestamp: "2026-10-28T09:14:03Z" },
    ]) {
      const failure = map(raw)
      expect(Either.isLeft(failure)).toBe(true)
      if (Either.isLeft(failure)) expect(failure.left.raw).toEqual(raw)
    }
  })

  it("the raw names mapped are the catalogue's keys with a clear unified meaning", () => {
    expect(ActivityKeyActions).toMatchObject({
      signed_in: "login",
      failed_to_sign_in: "login_failed",
      signed_out: "logout",
      removed_member: "user_deleted",
      exported_users: "exported",
    })
    expect(ActivityKeyActions.changed_role).toBeUndefined()
  })
})
