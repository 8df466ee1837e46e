import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import type { Activity } from "../../../src/domain/Activity.ts"
import { mapRecord } from "../../../src/providers/mapRecord.ts"
import { okta } from "../../../src/providers/okta/index.ts"
import { accountFor, HttpLive, readToEnd, simulator } from "./oktaTestKit.ts"

interface Raw {
  uuid: string
  published: string
  eventType: string
  actor: { id: string; type: string } | null
  outcome: { result: string } | null
  client: { ipAddress: string | null; userAgent: { rawUserAgent: string } | null } | null
  authenticationContext: { credentialType: string | null } | null
}

/**
 * Okta's event types (https://developer.okta.com/docs/reference/api/event-types/), transcribed: eventType
 * (+ outcome) → unified action; anything else keeps its eventType.
 */
const expectedAction = (event: Raw): string =>
  ({
    "user.session.start SUCCESS": "login",
    "user.session.start FAILURE": "login_failed",
    "user.session.end": "logout",
    "user.lifecycle.create": "user_created",
    "user.lifecycle.deactivate": "user_deactivated",
    "user.lifecycle.delete.initiated": "user_deleted",
  })[
    event.eventType === "user.session.start" ? `${event.eventType} ${event.outcome?.result}` : event.eventType
  ] ?? event.eventType

describe("okta toActivity on records fetched from the simulator", () => {
  it.scopedLive("maps every generated event per the table, with the raw record as remote_data", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 200 })
      const account = accountFor(sim)
      const { records } = yield* readToEnd(account, {}, 1000)
      expect(records).toHaveLength(200)
      const seen = new Map<string, Activity>()
      for (const raw of records as ReadonlyArray<Raw>) {
        const activity = Either.getOrThrow(mapRecord(okta.streams[0], account, raw))
        expect(activity.id).toBe(raw.uuid)
        expect(activity.created_at).toBe(raw.published)
        expect(activity.action).toBe(expectedAction(raw))
        expect(activity.remote_data).toBe(raw)
        // The spec fills none of these for Okta.
        for (const key of ["organization", "description", "entity", "entity_type", "group"])
          expect(activity).not.toHaveProperty(key)
        seen.set(`${activity.action} ${raw.actor?.type}`, activity)
      }
      // The history holds every row of the table, for users and for the Okta system as actor.
      for (const action of [
        "login",
        "login_failed",
        "logout",
        "user_created",
        "user_deactivated",
        "user_deleted",
      ]) {
        expect([...seen.keys()].some((key) => key.startsWith(`${action} `))).toBe(true)
      }
      for (const raw of [
        "user.lifecycle.activate",
        "user.lifecycle.suspend",
        "user.authentication.sso",
        "policy.evaluate_sign_on",
        "application.user_membership.add",
      ]) {
        expect([...seen.keys()].some((key) => key.startsWith(`${raw} `))).toBe(true)
      }
    }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive(
    "a failed login: user actor, address and agent, no authentication method (Okta records none)",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 100 })
        const account = accountFor(sim)
        const { records } = yield* readToEnd(account, { action: "login_failed" }, 1000)
        const raw = records[0] as Raw
        expect(raw.authenticationContext?.credentialType).toBeNull()
        const { remote_data: _, ...activity } = Either.getOrThrow(mapRecord(okta.streams[0], account, raw))
        expect(activity).toEqual({
          id: raw.uuid,
          actor: { type: "user", user: { id: raw.actor?.id } },
          action: "login_failed",
          context: { ip_address: raw.client?.ipAddress, user_agent: raw.client?.userAgent?.rawUserAgent },
          created_at: raw.published,
        })
      }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive("a successful login carries its credential type as the authentication method", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 100 })
      const account = accountFor(sim)
      const { records } = yield* readToEnd(account, { action: "login" }, 1000)
      const raw = (records as ReadonlyArray<Raw>).find(
        (r) => r.authenticationContext?.credentialType === "PASSWORD",
      )
      const activity = Either.getOrThrow(mapRecord(okta.streams[0], account, raw))
      expect(activity.action).toBe("login")
      expect(activity.context).toEqual({
        ip_address: raw?.client?.ipAddress,
        user_agent: raw?.client?.userAgent?.rawUserAgent,
        authentication_method: "PASSWORD",
      })
    }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive(
    "the Okta system as actor is a system actor, and a background job has no context at all",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 200 })
        const account = accountFor(sim)
        const { records } = yield* readToEnd(account, {}, 1000)
        const job = (records as ReadonlyArray<Raw>).find((r) => r.actor?.type === "SystemPrincipal")
        expect(job?.client?.ipAddress).toBeNull()
        const activity = Either.getOrThrow(mapRecord(okta.streams[0], account, job))
        expect(activity.actor).toEqual({ type: "system" })
        expect(activity).not.toHaveProperty("context")
      }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive(
    "an event without actor or client is anonymous, context omitted, time normalised to UTC",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 0 })
        const account = accountFor(sim)
        sim.inject({
          uuid: "9f3b1c2e-aa11-11f0-8e1a-0242ac120002",
          published: "2026-03-01T10:15:30.5+02:00",
          eventType: "system.org.rate_limit.warning",
          actor: null,
          client: { ipAddress: "", userAgent: null },
          outcome: null,
          target: null,
        })
        const { records } = yield* readToEnd(account, {}, 10)
        const { remote_data, ...activity } = Either.getOrThrow(
          mapRecord(okta.streams[0], account, records[0]),
        )
        expect(activity).toEqual({
          id: "9f3b1c2e-aa11-11f0-8e1a-0242ac120002",
          actor: { type: "anonymous" },
          action: "system.org.rate_limit.warning",
          created_at: "2026-03-01T08:15:30.500Z",
        })
        expect(remote_data).toEqual(records[0])
      }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive(
    "malformed records are rejected with a reason: decode for a missing uuid, map for a bad time",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 0 })
        const account = accountFor(sim)
        sim.injectMalformed("missing-uuid")
        sim.injectMalformed("bad-published")
        const { records } = yield* readToEnd(account, {}, 10)
        expect(records).toHaveLength(2)
        // flip + getOrThrow: a record that mapped after all fails the test here.
        const [noUuid, badTime] = records.map((raw) =>
          Either.flip(mapRecord(okta.streams[0], account, raw)).pipe(Either.getOrThrow),
        )
        expect(noUuid).toMatchObject({ stage: "decode", reason: expect.stringContaining("uuid") })
        expect(badTime).toMatchObject({ stage: "map", reason: expect.stringContaining("published") })
      }).pipe(Effect.provide(HttpLive)),
  )
})
