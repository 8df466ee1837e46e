import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startHubSpotSimulator } from "../../src/simulators/hubspot/HubSpotSimulator.ts"
import { apiOverSimulator, listAll } from "./apiOverSimulator.ts"

interface Answer {
  readonly status: number
  readonly body: {
    readonly result?: ReadonlyArray<{ id: string; action?: string; entity?: string; entity_type?: string }>
    readonly next_cursor?: string | null
    readonly error?: { code: string; message?: string; param?: string }
  }
}

const SETTLE_MS = 30_000

const hubspotApi = Effect.gen(function* () {
  const sim = yield* startHubSpotSimulator({ seed: 9, historySize: 60, requestsPerInterval: 100_000 })
  const { good, refused, list } = yield* apiOverSimulator<Answer["body"]>(sim, {
    access_token: "pat-na1-revoked",
  })
  return { sim, good, refused, list }
})

const timeOf = (r: Readonly<Record<string, unknown>>) =>
  Date.parse(String(r.loginAt ?? r.createdAt ?? r.occurredAt))
const AUDIT = "/account-info/v3/activity/audit-logs"

describe("hubspot through the endpoint", () => {
  it.scopedLive(
    "pages the three streams by next_cursor until null, each activity once; every supported filter is served",
    () =>
      Effect.gen(function* () {
        const { sim, good, list } = yield* hubspotApi
        expect(sim.settings.audit_logs).toBe("true")
        const all = () => [...sim.logins(), ...sim.securityActions(), ...sim.auditEvents()]
        const settledAtStart = all()
          .filter((r) => timeOf(r) < Date.now() - SETTLE_MS)
          .map((r) => String(r.id))
        const listed = yield* listAll(list, { integrated_account_id: good })
        const ids = listed.map((a) => a.id)
        expect(new Set(ids).size).toBe(ids.length)
        for (const id of settledAtStart) expect(ids).toContain(id)
        expect(sim.auditEvents().some((r) => ids.includes(String(r.id)))).toBe(true)

        const target = sim.logins().find((r) => r.loginSucceeded === true && r.userId !== undefined)
        const createdAt = new Date(timeOf(target ?? {})).toISOString()
        const filtered = yield* list({
          integrated_account_id: good,
          created_at: createdAt,
          actor_id: String(target?.userId),
          action: "login",
          limit: "100",
        })
        expect(filtered.status).toBe(200)
        expect(filtered.body.result?.map((a) => a.id)).toContain(String(target?.id))
        for (const activity of filtered.body.result ?? []) expect(activity).toMatchObject({ action: "login" })
        // action=login asks login history and the audit log (its LOGIN_SUCCEEDED records), not security.
        const [one, two] = sim.requests().slice(-2)
        expect(new Set([one?.path, two?.path])).toEqual(new Set(["/account-info/v3/activity/login", AUDIT]))
        const loginAsked = one?.path === AUDIT ? two : one
        const auditAsked = one?.path === AUDIT ? one : two
        expect(loginAsked?.params).toEqual(expect.arrayContaining([["userId", String(target?.userId)]]))
        expect(auditAsked?.params).toEqual(
          expect.arrayContaining([
            ["actingUserId", String(target?.userId)],
            ["occurredAfter", new Date(Date.parse(createdAt) - 1).toISOString()],
            ["sort", "occurredAt"],
          ]),
        )

        // The audit log's own logins, by its actor, through the endpoint.
        const auditLogin = sim
          .auditEvents()
          .find((r) => r.category === "LOGIN" && timeOf(r) < Date.now() - SETTLE_MS)
        const actingUser = String((auditLogin?.actingUser as { userId: number } | undefined)?.userId)
        const logins = yield* list({
          integrated_account_id: good,
          actor_id: actingUser,
          action: "login",
          limit: "100",
        })
        expect(logins.status).toBe(200)
        expect(logins.body.result?.map((a) => a.id)).toContain(String(auditLogin?.id))
        for (const activity of logins.body.result ?? []) expect(activity).toMatchObject({ action: "login" })

        const unsupported = yield* list({ integrated_account_id: good, action: "logout" })
        expect(unsupported.status).toBe(400)
        const entity = yield* list({ integrated_account_id: good, entity: "7654" })
        expect(entity.status).toBe(400)
      }),
  )

  it.scopedLive("a token HubSpot refuses (401) is remote_unauthorized", () =>
    Effect.gen(function* () {
      const { refused, list } = yield* hubspotApi
      const answer = yield* list({ integrated_account_id: refused })
      expect(answer.status).toBe(502)
      expect(answer.body.error?.code).toBe("remote_unauthorized")
    }),
  )

  it.scopedLive(
    "the audit log on a portal below Enterprise: remote_unauthorized saying it needs Enterprise",
    () =>
      Effect.gen(function* () {
        const sim = yield* startHubSpotSimulator({ seed: 9, historySize: 10, enterprise: false })
        const { good, list } = yield* apiOverSimulator<Answer["body"]>(
          { ...sim, settings: { ...sim.settings, audit_logs: "true" } },
          { access_token: "pat-na1-revoked" },
        )
        const answer = yield* list({ integrated_account_id: good })
        expect(answer.status).toBe(502)
        expect(answer.body.error?.code).toBe("remote_unauthorized")
        expect(answer.body.error?.message).toContain("needs an Enterprise account")
        expect(answer.body.error?.message).toContain("settings.audit_logs: false")
      }),
  )
})
