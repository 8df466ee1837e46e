import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"
import { OktaPosition } from "../../../src/providers/okta/OktaPosition.ts"
import { accountFor, fetchPage, foreignHost, HttpLive, simulator } from "./oktaTestKit.ts"

describe("okta requests stay on the account's own domain", () => {
  it.scopedLive("a next link pointing at another host is refused and that host never hears from us", () =>
    Effect.gen(function* () {
      const foreign = yield* foreignHost
      const sim = yield* simulator({ historySize: 5, nextLinkOrigin: foreign.origin })
      const error = yield* Effect.flip(
        fetchPage({ account: accountFor(sim), filters: {}, position: undefined, limit: 2 }),
      )
      expect(error).toMatchObject({ _tag: "ForeignHostRefused", host: foreign.host })
      expect(sim.requests()).toHaveLength(1)
      expect(foreign.hits()).toBe(0)
    }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive(
    "a crafted position naming another host never leads to a request off the account's origin",
    () =>
      Effect.gen(function* () {
        const foreign = yield* foreignHost
        const sim = yield* simulator({ historySize: 5 })
        const account = accountFor(sim)
        const crafted = [
          `//${foreign.host}/api/v1/logs?after=x`,
          `${foreign.origin}/api/v1/logs?after=x`,
          `/\\${foreign.host}/api/v1/logs?after=x`,
          "//evil.example/api/v1/logs?after=x",
          "https://evil.example/api/v1/logs?after=x",
        ]
        for (const next of crafted) {
          const error = yield* Effect.flip(fetchPage({ account, filters: {}, position: { next }, limit: 2 }))
          expect(error._tag).toBe("ForeignHostRefused")
          // Nor would such a position survive decoding from a cursor.
          expect(Either.isLeft(Schema.decodeUnknownEither(OktaPosition)({ next }))).toBe(true)
        }
        expect(foreign.hits()).toBe(0)
        expect(sim.requests()).toEqual([])
      }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive("a position on the right host but another API path is refused too", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 5 })
      const error = yield* Effect.flip(
        fetchPage({
          account: accountFor(sim),
          filters: {},
          position: { next: "/api/v1/users?limit=200" },
          limit: 2,
        }),
      )
      expect(error._tag).toBe("ProviderBadResponse")
      expect(sim.requests()).toEqual([])
    }).pipe(Effect.provide(HttpLive)),
  )
})
