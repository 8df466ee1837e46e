import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { teamEventId } from "../../src/providers/dropbox/DropboxTeamEvent.ts"
import { startDropboxSimulator } from "../../src/simulators/dropbox/DropboxSimulator.ts"
import { apiOverSimulator, listAll } from "./apiOverSimulator.ts"

interface Answer {
  readonly status: number
  readonly body: {
    readonly result?: ReadonlyArray<{
      id: string
      action?: string
      created_at: string
      actor?: { user?: { id?: string } }
    }>
    readonly next_cursor?: string | null
    readonly error?: { code: string; param?: string }
  }
}

const dropboxApi = Effect.gen(function* () {
  const sim = yield* startDropboxSimulator({ seed: 5, historySize: 45 })
  const { good, refused, list } = yield* apiOverSimulator<Answer["body"]>(sim, {
    ...sim.credentials,
    refresh_token: "revoked-refresh-token",
  })
  return { sim, good, refused, list }
})

describe("dropbox through the endpoint", () => {
  it.scopedLive("pages by next_cursor until null, each activity once; every supported filter is served", () =>
    Effect.gen(function* () {
      const { sim, good, list } = yield* dropboxApi
      const atStart = sim.events().map(teamEventId)
      const listed = yield* listAll(list, { integrated_account_id: good })
      const ids = listed.map((a) => a.id)
      expect(new Set(ids).size).toBe(ids.length)
      expect([...ids].sort()).toEqual([...atStart].sort())

      const target = sim
        .events()
        .find((e) => (e as { event_type: { ".tag": string } }).event_type[".tag"] === "login_fail") as {
        timestamp: string
        actor: { user: { account_id: string } }
      }
      const filtered = yield* list({
        integrated_account_id: good,
        created_at: target.timestamp,
        actor_id: target.actor.user.account_id,
        action: "login_failed",
        limit: "100",
      })
      expect(filtered.status).toBe(200)
      expect(filtered.body.result?.map((a) => a.id)).toContain(teamEventId(target))
      for (const activity of filtered.body.result ?? []) {
        expect(activity.action).toBe("login_failed")
        expect(activity.actor?.user?.id).toBe(target.actor.user.account_id)
        expect(Date.parse(activity.created_at)).toBeGreaterThanOrEqual(Date.parse(target.timestamp))
      }
      const lastRequest = sim
        .requests()
        .filter((r) => r.path === "/2/team_log/get_events")
        .at(-1)
      expect(lastRequest?.body).toEqual({
        limit: 100,
        account_id: target.actor.user.account_id,
        time: { start_time: target.timestamp },
        event_type: { ".tag": "login_fail" },
      })
    }),
  )

  it.scopedLive("a refresh token Dropbox refuses is remote_unauthorized", () =>
    Effect.gen(function* () {
      const { refused, list } = yield* dropboxApi
      const answer = yield* list({ integrated_account_id: refused })
      expect(answer.status).toBe(502)
      expect(answer.body.error?.code).toBe("remote_unauthorized")
    }),
  )

  it.scopedLive("an access token Dropbox refuses (401) is remote_unauthorized", () =>
    Effect.gen(function* () {
      const sim = yield* startDropboxSimulator({ seed: 5, historySize: 5 })
      const { refused, list } = yield* apiOverSimulator<Answer["body"]>(sim, { access_token: "sl.revoked" })
      const answer = yield* list({ integrated_account_id: refused })
      expect(answer.status).toBe(502)
      expect(answer.body.error?.code).toBe("remote_unauthorized")
      expect(sim.requests().at(-1)?.status).toBe(401)
    }),
  )
})
