import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { ProviderHttp } from "../../src/http/ProviderHttp.ts"
import { foreignHost } from "../providers/okta/oktaTestKit.ts"

const HttpLive = ProviderHttp.layer({ retryBase: "10 millis" })

const accountOn = (origin: string): IntegratedAccount => ({
  id: "pinning-test",
  integration: "zoom",
  baseUrl: new URL(origin),
  credentials: { _tag: "Bearer", token: Redacted.make("unused") },
  settings: {},
})

const tokenRequest = (account: IntegratedAccount, url: string, origin: string) =>
  Effect.flatMap(ProviderHttp, (http) =>
    http.send({
      account,
      url: new URL(url),
      origin: new URL(origin),
      method: "POST",
      headers: { authorization: "Basic Y2xpZW50OnNlY3JldA==" },
      body: "grant_type=account_credentials&account_id=x",
    }),
  )

describe("ProviderHttp origin pinning", () => {
  it.scopedLive("a token request to another host than its pinned origin is refused and reaches nobody", () =>
    Effect.gen(function* () {
      const api = yield* foreignHost
      const tokenHost = yield* foreignHost
      const elsewhere = yield* foreignHost
      const account = accountOn(api.origin)
      const error = yield* Effect.flip(
        tokenRequest(account, `${elsewhere.origin}/oauth/token`, `${tokenHost.origin}/oauth/token`),
      )
      expect(error).toMatchObject({ _tag: "ForeignHostRefused", host: elsewhere.host })
      expect(error.message).toContain(`pinned to ${tokenHost.host}`)
      expect(error.message).not.toContain("Y2xpZW50OnNlY3JldA")
      // Not even the account's own origin is a fallback for a pinned request.
      const toBaseUrl = yield* Effect.flip(
        tokenRequest(account, `${api.origin}/oauth/token`, `${tokenHost.origin}/oauth/token`),
      )
      expect(toBaseUrl).toMatchObject({ _tag: "ForeignHostRefused", host: api.host })
      expect([api.hits(), tokenHost.hits(), elsewhere.hits()]).toEqual([0, 0, 0])
    }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive("a pinned request reaches its own origin; unpinned ones still only the account's", () =>
    Effect.gen(function* () {
      const api = yield* foreignHost
      const tokenHost = yield* foreignHost
      const account = accountOn(api.origin)
      yield* tokenRequest(account, `${tokenHost.origin}/oauth/token`, tokenHost.origin)
      expect(tokenHost.hits()).toBe(1)

      const http = yield* ProviderHttp
      const unpinned = yield* Effect.flip(
        http.send({ account, url: new URL(`${tokenHost.origin}/v2/users/me`), headers: {} }),
      )
      expect(unpinned).toMatchObject({ _tag: "ForeignHostRefused", host: tokenHost.host })
      yield* http.send({ account, url: new URL(`${api.origin}/v2/users/me`), headers: {} })
      expect([api.hits(), tokenHost.hits()]).toEqual([1, 1])
    }).pipe(Effect.provide(HttpLive)),
  )
})
