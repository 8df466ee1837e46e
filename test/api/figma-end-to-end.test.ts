import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startFigmaSimulator } from "../../src/simulators/figma/FigmaSimulator.ts"
import { apiOverSimulator, listAll } from "./apiOverSimulator.ts"

interface Body {
  readonly result?: ReadonlyArray<{ id: string; action?: string; created_at: string; organization?: string }>
  readonly next_cursor?: string | null
  readonly error?: { code: string; param?: string }
}

const figmaApi = Effect.gen(function* () {
  const sim = yield* startFigmaSimulator({ seed: 11, historySize: 45, requestsPerMinute: 100_000 })
  const { good, refused, list } = yield* apiOverSimulator<Body>(sim, { access_token: "revoked-token" })
  return { sim, good, refused, list }
})

const idOf = (e: unknown) => (e as { id: string }).id

describe("figma through the endpoint", () => {
  it.scopedLive("pages by next_cursor until null, each activity once; created_at and action are served", () =>
    Effect.gen(function* () {
      const { sim, good, list } = yield* figmaApi
      const pageThrough = (filters: Record<string, string>) =>
        listAll(list, { integrated_account_id: good, ...filters }).pipe(
          Effect.map((listed) => listed.map((a) => a.id)),
        )
      const all = yield* pageThrough({})
      expect(all).toEqual(sim.events().map(idOf))

      const events = sim.events() as Array<{ id: string; timestamp: number; action: { type: string } }>
      const from = events[20] as { timestamp: number }
      const createdAt = new Date(from.timestamp * 1000).toISOString()
      const logins = yield* pageThrough({ created_at: createdAt, action: "login" })
      expect(logins).toEqual(
        events
          .filter((e) => e.timestamp >= from.timestamp && e.action.type === "user_sign_in")
          .map((e) => e.id),
      )
      expect(logins.length).toBeGreaterThan(0)
      const asked = sim
        .requests()
        .filter((r) => r.path === "/v1/activity_logs" && r.params.start_time !== undefined)
      expect(asked.at(-1)?.params).toMatchObject({
        events: "user_sign_in",
        start_time: String(from.timestamp),
      })
    }),
  )

  it.scopedLive("a token Figma refuses (401) is remote_unauthorized; a filter Figma lacks is a 400", () =>
    Effect.gen(function* () {
      const { good, refused, list } = yield* figmaApi
      const answer = yield* list({ integrated_account_id: refused })
      expect(answer.status).toBe(502)
      expect(answer.body.error?.code).toBe("remote_unauthorized")
      const unsupported = yield* list({ integrated_account_id: good, actor_id: "1099091282752443416" })
      expect(unsupported.status).toBe(400)
      expect(unsupported.body.error?.param).toBe("actor_id")
      const failed = yield* list({ integrated_account_id: good, action: "login_failed" })
      expect(failed.status).toBe(400)
    }),
  )
})
