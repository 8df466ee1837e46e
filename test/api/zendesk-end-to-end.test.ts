import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startZendeskSimulator } from "../../src/simulators/zendesk/ZendeskSimulator.ts"
import { apiOverSimulator, listAll } from "./apiOverSimulator.ts"

interface Answer {
  readonly status: number
  readonly body: {
    readonly result?: ReadonlyArray<{ id: string; action?: string; entity?: string; entity_type?: string }>
    readonly next_cursor?: string | null
    readonly error?: { code: string; param?: string }
  }
}

const SETTLE_MS = 30_000

const zendeskApi = Effect.gen(function* () {
  const sim = yield* startZendeskSimulator({ seed: 9, historySize: 45, requestsPerMinute: 100_000 })
  const { good, refused, list } = yield* apiOverSimulator<Answer["body"]>(sim, {
    email: sim.credentials.email,
    api_token: "revoked-token",
  })
  return { sim, good, refused, list }
})

describe("zendesk through the endpoint", () => {
  it.scopedLive("pages by next_cursor until null, each activity once; every filter is served", () =>
    Effect.gen(function* () {
      const { sim, good, list } = yield* zendeskApi
      const settledAtStart = sim
        .auditLogs()
        .filter((r) => Date.parse(String(r.created_at)) < Date.now() - SETTLE_MS)
        .map((r) => String(r.id))
      const listed = yield* listAll(list, { integrated_account_id: good })
      const ids = listed.map((a) => a.id)
      expect(new Set(ids).size).toBe(ids.length)
      for (const id of settledAtStart) expect(ids).toContain(id)

      const target = sim.auditLogs().find((r) => r.source_type === "user" && r.action === "update")
      const filtered = yield* list({
        integrated_account_id: good,
        created_at: new Date(Date.parse(String(target?.created_at))).toISOString(),
        actor_id: String(target?.actor_id),
        action: "updated",
        entity: String(target?.source_id),
        entity_type: "user",
        ip_address: String(target?.ip_address),
        limit: "100",
      })
      expect(filtered.status).toBe(200)
      expect(filtered.body.result?.map((a) => a.id)).toContain(String(target?.id))
      for (const activity of filtered.body.result ?? [])
        expect(activity).toMatchObject({ action: "updated", entity_type: "user" })
      const lastRequest = sim.requests().at(-1)
      expect(lastRequest?.params).toEqual(
        expect.arrayContaining([
          ["filter[action]", "update"],
          ["filter[source_type]", "user"],
          ["filter[source_id]", String(target?.source_id)],
          ["filter[actor_id]", String(target?.actor_id)],
          ["filter[ip_address]", String(target?.ip_address)],
        ]),
      )
    }),
  )

  it.scopedLive("an API token Zendesk refuses (401) is remote_unauthorized", () =>
    Effect.gen(function* () {
      const { refused, list } = yield* zendeskApi
      const answer = yield* list({ integrated_account_id: refused })
      expect(answer.status).toBe(502)
      expect(answer.body.error?.code).toBe("remote_unauthorized")
    }),
  )
})
