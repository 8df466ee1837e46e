import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startSalesforceSimulator } from "../../src/simulators/salesforce/SalesforceSimulator.ts"
import { apiOverSimulator, listAll } from "./apiOverSimulator.ts"

interface Answer {
  readonly status: number
  readonly body: {
    readonly result?: ReadonlyArray<{ id: string; action?: string; actor?: { user?: { id?: string } } }>
    readonly next_cursor?: string | null
    readonly error?: { code: string; param?: string }
  }
}

const SETTLE_MS = 30_000

const salesforceApi = Effect.gen(function* () {
  const sim = yield* startSalesforceSimulator({ seed: 9, historySize: 45, dailyApiRequests: 100_000 })
  const { good, refused, list } = yield* apiOverSimulator<Answer["body"]>(sim, {
    access_token: "00Dxx!expired-session",
  })
  return { sim, good, refused, list }
})

const rowTime = (row: Readonly<Record<string, unknown>>) =>
  Date.parse(String(row.LoginTime ?? row.CreatedDate).replace(/\+0000$/, "Z"))

describe("salesforce through the endpoint", () => {
  it.scopedLive(
    "pages both streams by next_cursor until null, each activity once; created_at and actor_id served",
    () =>
      Effect.gen(function* () {
        const { sim, good, list } = yield* salesforceApi
        const rows = () => [...sim.loginHistory(), ...sim.setupAuditTrail()]
        const settledAtStart = rows()
          .filter((r) => rowTime(r) < Date.now() - SETTLE_MS)
          .map((r) => String(r.Id))
        const listed = yield* listAll(list, { integrated_account_id: good })
        const ids = listed.map((a) => a.id)
        expect(new Set(ids).size).toBe(ids.length)
        for (const id of settledAtStart) expect(ids).toContain(id)

        const user = sim.users[2]?.id ?? ""
        const createdAt = new Date(Date.now() - 2 * 86_400_000).toISOString()
        const filtered = yield* list({
          integrated_account_id: good,
          created_at: createdAt,
          actor_id: user,
          limit: "200",
        })
        expect(filtered.status).toBe(200)
        const expected = rows()
          .filter(
            (r) =>
              (r.UserId ?? r.CreatedById) === user &&
              rowTime(r) >= Date.parse(createdAt) &&
              rowTime(r) < Date.now() - SETTLE_MS,
          )
          .map((r) => String(r.Id))
        expect(expected.length).toBeGreaterThan(0)
        for (const id of expected) expect(filtered.body.result?.map((a) => a.id)).toContain(id)
        for (const activity of filtered.body.result ?? []) expect(activity.actor?.user?.id).toBe(user)

        const unsupported = yield* list({ integrated_account_id: good, ip_address: "203.0.113.7" })
        expect(unsupported.status).toBe(400)
        expect(unsupported.body.error?.param).toBe("ip_address")
      }),
  )

  it.scopedLive("a session Salesforce refuses (401 INVALID_SESSION_ID) is remote_unauthorized", () =>
    Effect.gen(function* () {
      const { refused, list } = yield* salesforceApi
      const answer = yield* list({ integrated_account_id: refused })
      expect(answer.status).toBe(502)
      expect(answer.body.error?.code).toBe("remote_unauthorized")
    }),
  )
})
