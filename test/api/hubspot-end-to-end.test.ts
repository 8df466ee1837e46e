import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startHubSpotSimulator } from "../../src/simulators/hubspot/HubSpotSimulator.ts"
import { apiOverSimulator } from "./apiOverSimulator.ts"

interface Answer {
  readonly status: number
  readonly body: {
    readonly result?: ReadonlyArray<{ id: string; action?: string; entity?: string; entity_type?: string }>
    readonly next_cursor?: string | null
    readonly error?: { code: string; param?: string }
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

const timeOf = (r: Readonly<Record<string, unknown>>) => Date.parse(String(r.loginAt ?? r.createdAt))

describe("hubspot through the endpoint", () => {
  it.scopedLive(
    "pages both streams by next_cursor until null, each activity once; every supported filter is served",
    () =>
      Effect.gen(function* () {
        const { sim, good, list } = yield* hubspotApi
        const all = () => [...sim.logins(), ...sim.securityActions()]
        const settledAtStart = all()
          .filter((r) => timeOf(r) < Date.now() - SETTLE_MS)
          .map((r) => String(r.id))
        const ids: string[] = []
        let cursor: string | null | undefined
        for (let i = 0; i < 30 && cursor !== null; i++) {
          const answer = yield* list({
            integrated_account_id: good,
            limit: "10",
            ...(cursor ? { next_cursor: cursor } : {}),
          })
          expect(answer.status).toBe(200)
          expect((answer.body.result ?? []).length).toBeLessThanOrEqual(10)
          ids.push(...(answer.body.result ?? []).map((a) => a.id))
          cursor = answer.body.next_cursor
        }
        expect(cursor).toBeNull()
        expect(new Set(ids).size).toBe(ids.length)
        for (const id of settledAtStart) expect(ids).toContain(id)

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
        // action=login is login history's alone: the security list is not asked.
        const lastRequest = sim.requests().at(-1)
        expect(lastRequest?.path).toBe("/account-info/v3/activity/login")
        expect(lastRequest?.params).toEqual(expect.arrayContaining([["userId", String(target?.userId)]]))

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
})
