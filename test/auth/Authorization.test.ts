import { describe, expect, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Redacted, TestClock } from "effect"
import { Authorization, withAuthorization } from "../../src/auth/Authorization.ts"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { ProviderUnauthorized } from "../../src/http/ProviderError.ts"
import { ProviderHttp, type ProviderRequest, type ProviderResponse } from "../../src/http/ProviderHttp.ts"
import { providers } from "../../src/providers/registry.ts"
import { accountOf, decodeJwt, rsaKeyPair } from "./authTestKit.ts"

/**
 * A token endpoint in memory: answers `tok-1`, `tok-2`… living `expiresIn` seconds, after `gate` opens when
 * one is given. Everything runs on the TestClock: no test here waits in real time.
 */
const fakeTokenEndpoint = (options: { expiresIn?: number; gate?: Deferred.Deferred<void> } = {}) => {
  const requests: ProviderRequest[] = []
  const layer = Layer.succeed(ProviderHttp, {
    send: (request) =>
      Effect.gen(function* () {
        requests.push(request)
        const issued = requests.length
        if (options.gate) yield* Deferred.await(options.gate)
        return {
          status: 200,
          headers: {},
          body: { access_token: `tok-${issued}`, expires_in: options.expiresIn ?? 3600 },
        } satisfies ProviderResponse
      }),
  })
  return { requests, layer: Authorization.layer(providers).pipe(Layer.provide(layer)) }
}

const headerFor = (account: IntegratedAccount) =>
  Effect.flatMap(Authorization, (authorization) => authorization.headerFor(account)).pipe(
    Effect.map(Redacted.value),
  )

const dropbox = () =>
  accountOf("dropbox", { refresh_token: "r3fr3sh", client_id: "app-key", client_secret: "app-s3cr3t" })

describe("Authorization: static credentials", () => {
  it.effect("are sent as they are, without any request", () => {
    const endpoint = fakeTokenEndpoint()
    return Effect.gen(function* () {
      expect(yield* headerFor(accountOf("github", { access_token: "ghp_abc" }))).toBe("Bearer ghp_abc")
      expect(
        yield* headerFor(accountOf("okta", { api_token: "00okta" }, { baseUrl: "https://acme.okta.com" })),
      ).toBe("SSWS 00okta")
      expect(yield* headerFor(accountOf("browserstack", { username: "bs-user", access_key: "bs-key" }))).toBe(
        `Basic ${Buffer.from("bs-user:bs-key").toString("base64")}`,
      )
      expect(
        yield* headerFor(
          accountOf(
            "zendesk",
            { email: "agent@acme.example", api_token: "zd-token" },
            { baseUrl: "https://acme.zendesk.com" },
          ),
        ),
      ).toBe(`Basic ${Buffer.from("agent@acme.example/token:zd-token").toString("base64")}`)
      expect(endpoint.requests).toEqual([])
    }).pipe(Effect.provide(endpoint.layer))
  })

  it.effect("a 401 for a static credential is the answer: no retry", () => {
    const endpoint = fakeTokenEndpoint()
    return Effect.gen(function* () {
      let calls = 0
      const error = yield* Effect.flip(
        withAuthorization(accountOf("github", { access_token: "ghp_abc" }), () =>
          Effect.suspend(() => {
            calls++
            return Effect.fail(
              new ProviderUnauthorized({ integration: "github", status: 401, message: "no" }),
            )
          }),
        ),
      )
      expect(error._tag).toBe("ProviderUnauthorized")
      expect(calls).toBe(1)
    }).pipe(Effect.provide(endpoint.layer))
  })
})

describe("Authorization: fetched tokens", () => {
  it.effect("are replaced before they expire, by the Clock", () => {
    const endpoint = fakeTokenEndpoint({ expiresIn: 3600 })
    return Effect.gen(function* () {
      const account = dropbox()
      expect(yield* headerFor(account)).toBe("Bearer tok-1")
      // The margin is a tenth of the lifetime, at most a minute: the token is replaced at 59 minutes.
      yield* TestClock.adjust("58 minutes")
      expect(yield* headerFor(account)).toBe("Bearer tok-1")
      yield* TestClock.adjust("61 seconds")
      expect(yield* headerFor(account)).toBe("Bearer tok-2")
      expect(yield* headerFor(account)).toBe("Bearer tok-2")
      expect(endpoint.requests).toHaveLength(2)
    }).pipe(Effect.provide(endpoint.layer))
  })

  it.effect("concurrent callers share one fetch", () => {
    return Effect.gen(function* () {
      const gate = yield* Deferred.make<void>()
      const endpoint = fakeTokenEndpoint({ gate })
      yield* Effect.gen(function* () {
        const account = dropbox()
        const callers = yield* Effect.fork(
          Effect.all(
            Array.from({ length: 20 }, () => headerFor(account)),
            { concurrency: "unbounded" },
          ),
        )
        // Every caller is waiting before the one fetch is answered.
        yield* Effect.repeatN(Effect.yieldNow(), 50)
        yield* Deferred.succeed(gate, undefined)
        const headers = yield* Fiber.join(callers)
        expect(new Set(headers)).toEqual(new Set(["Bearer tok-1"]))
        expect(endpoint.requests).toHaveLength(1)
      }).pipe(Effect.provide(endpoint.layer))
    })
  })

  it.effect("a 401 renews the token once and retries once; a 403 is not retried", () => {
    const endpoint = fakeTokenEndpoint()
    return Effect.gen(function* () {
      const account = dropbox()
      const refusing = (status: number) => {
        const seen: string[] = []
        const call = (authorization: Redacted.Redacted<string>) =>
          Effect.suspend(() => {
            seen.push(Redacted.value(authorization))
            return Effect.fail(
              new ProviderUnauthorized({ integration: "dropbox", status, message: "refused" }),
            )
          })
        return { seen, call }
      }
      const unauthorized = refusing(401)
      yield* Effect.flip(withAuthorization(account, unauthorized.call))
      expect(unauthorized.seen).toEqual(["Bearer tok-1", "Bearer tok-2"])

      const forbidden = refusing(403)
      yield* Effect.flip(withAuthorization(account, forbidden.call))
      expect(forbidden.seen).toEqual(["Bearer tok-2"])
      expect(endpoint.requests).toHaveLength(2)
    }).pipe(Effect.provide(endpoint.layer))
  })

  it.effect("the token request goes to the grant's URL and is pinned to its origin", () => {
    const endpoint = fakeTokenEndpoint()
    return Effect.gen(function* () {
      yield* headerFor(dropbox())
      const [request] = endpoint.requests
      expect(request?.url.href).toBe("https://api.dropbox.com/oauth2/token")
      expect(request?.origin?.href).toBe("https://api.dropbox.com/oauth2/token")
      expect(request?.method).toBe("POST")
    }).pipe(Effect.provide(endpoint.layer))
  })

  it.effect("assertions are dated by the Clock", () => {
    const endpoint = fakeTokenEndpoint()
    const { privateKeyPem, publicKeyPem } = rsaKeyPair()
    return Effect.gen(function* () {
      const at = Date.parse("2026-03-01T12:00:00Z")
      yield* TestClock.setTime(at)
      yield* headerFor(
        accountOf(
          "okta",
          { client_id: "0oa-app", private_key: privateKeyPem },
          { baseUrl: "https://acme.okta.com" },
        ),
      )
      const form = new URLSearchParams(endpoint.requests[0]?.body)
      const jwt = decodeJwt(form.get("client_assertion") ?? "")
      expect(jwt.verifiesWith(publicKeyPem)).toBe(true)
      expect(jwt.claims).toMatchObject({
        aud: "https://acme.okta.com/oauth2/v1/token",
        iat: at / 1000,
        exp: at / 1000 + 180,
      })
    }).pipe(Effect.provide(endpoint.layer))
  })

  it.effect("a grant form whose provider declares no token grant is refused without a request", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(
        Effect.flatMap(Authorization, (authorization) => authorization.headerFor(dropbox())).pipe(
          Effect.provide(
            Authorization.layer({}).pipe(
              Layer.provide(Layer.succeed(ProviderHttp, { send: () => Effect.die("no request expected") })),
            ),
          ),
        ),
      )
      expect(error).toMatchObject({ _tag: "ProviderNotImplemented" })
    }),
  )
})
