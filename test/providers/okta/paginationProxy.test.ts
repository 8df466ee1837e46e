import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { linkRewritingProxy, stripLink } from "../../support/linkRewritingProxy.ts"
import { accountFor, fetchPage, HttpLive, simulator } from "./oktaTestKit.ts"

describe("okta fetchPage behind a proxy that breaks pagination", () => {
  it.scopedLive('an answer without rel="next" is a bad response: its records are not handed on', () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 5 })
      const proxy = yield* linkRewritingProxy(sim.baseUrl, stripLink)
      const account = { ...accountFor(sim), baseUrl: new URL(proxy.origin) }
      const error = yield* Effect.flip(fetchPage({ account, filters: {}, position: undefined, limit: 2 }))
      expect(error).toMatchObject({ _tag: "ProviderBadResponse", integration: "okta" })
      expect(error.message).toMatch(/next/)
      expect(error.message).not.toContain(sim.credentials.api_token)
      // The simulator did send its links and records: only the proxy took the link away.
      expect(proxy.linksRewritten()).toBe(1)
      expect(sim.requests().map((request) => request.status)).toEqual([200])
    }).pipe(Effect.provide(HttpLive)),
  )
})
