import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startZoomSimulator } from "../../src/simulators/zoom/ZoomSimulator.ts"
import { accountFor, expectedIds } from "../providers/zoom/zoomTestKit.ts"
import { apiOverSimulator, listAll } from "./apiOverSimulator.ts"

interface Answer {
  readonly status: number
  readonly body: {
    readonly result?: ReadonlyArray<{ id: string; action?: string; description?: string }>
    readonly next_cursor?: string | null
    readonly error?: { code: string }
  }
}

const zoomApi = Effect.gen(function* () {
  const sim = yield* startZoomSimulator({ seed: 9, historySize: 45, requestsPerSecond: 1_000 })
  const { good, refused, list } = yield* apiOverSimulator<Answer["body"]>(sim, {
    access_token: "expired-token",
  })
  return { sim, good, refused, list }
})

describe("zoom through the endpoint", () => {
  it.scopedLive(
    "pages both streams by next_cursor until null, each activity once; action=login is the sign-ins",
    () =>
      Effect.gen(function* () {
        const { sim, good, list } = yield* zoomApi
        const listed = yield* listAll(list, { integrated_account_id: good })
        const ids = listed.map((a) => a.id)
        const account = accountFor(sim)
        const expected = [
          ...expectedIds(sim, account, "activities"),
          ...expectedIds(sim, account, "operation_logs"),
        ]
        expect(new Set(ids).size).toBe(ids.length)
        expect([...ids].sort()).toEqual(expected.map((a) => a.id).sort())

        const logins = yield* list({ integrated_account_id: good, action: "login", limit: "200" })
        expect(logins.status).toBe(200)
        expect(logins.body.result?.every((a) => a.action === "login" && a.description === "Sign in")).toBe(
          true,
        )
        expect(logins.body.result?.length).toBe(
          expectedIds(sim, account, "activities").filter((a) => a.action === "login").length,
        )
        const logout = yield* list({ integrated_account_id: good, action: "logout" })
        expect(logout.status).toBe(400)
      }),
  )

  it.scopedLive("a token Zoom refuses (401) is remote_unauthorized", () =>
    Effect.gen(function* () {
      const { refused, list } = yield* zoomApi
      const answer = yield* list({ integrated_account_id: refused })
      expect(answer.status).toBe(502)
      expect(answer.body.error?.code).toBe("remote_unauthorized")
    }),
  )
})
