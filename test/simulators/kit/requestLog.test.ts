import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { requestLog } from "../../../src/simulators/kit/requestLog.ts"
import { serveSimulator } from "../../../src/simulators/kit/serveSimulator.ts"

describe("requestLog", () => {
  it.scopedLive("shows each request's basics, the query as params, with its note's fields spread in", () =>
    Effect.gen(function* () {
      const server = yield* serveSimulator<{ readonly records?: number; readonly params?: string }>({
        handle: (request) =>
          request.url.pathname === "/page"
            ? { status: 200, body: [], note: { records: 3, params: "noted" } }
            : { status: 404 },
      })
      yield* Effect.promise(() =>
        fetch(`${server.origin}/page?limit=2`, { headers: { authorization: "Basic x" } }),
      )
      yield* Effect.promise(() => fetch(`${server.origin}/other?limit=5`))
      const [page, other] = requestLog(server)()
      expect(page).toEqual({
        method: "GET",
        path: "/page",
        params: "noted",
        authScheme: "Basic",
        status: 200,
        receivedAt: expect.any(Number),
        records: 3,
      })
      expect(other).toEqual({
        method: "GET",
        path: "/other",
        params: { limit: "5" },
        authScheme: undefined,
        status: 404,
        receivedAt: expect.any(Number),
      })
      // A request the fields leave out is not shown.
      const pages = requestLog(server, (request) => (request.path === "/page" ? {} : undefined))()
      expect(pages.map((request) => [request.path, request.params])).toEqual([["/page", { limit: "2" }]])
    }),
  )
})
