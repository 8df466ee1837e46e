import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Layer, Redacted, Schema, TestClock } from "effect"
import { Authorization, withAuthorization } from "../../../src/auth/Authorization.ts"
import { parseConfig } from "../../../src/config/loadConfig.ts"
import { isGrant } from "../../../src/domain/Credentials.ts"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import { ProviderHttp } from "../../../src/http/ProviderHttp.ts"
import { providers } from "../../../src/providers/registry.ts"
import { zoom } from "../../../src/providers/zoom/index.ts"
import { zoomTokenGrant } from "../../../src/providers/zoom/tokenGrant.ts"
import {
  startZoomOAuthSimulator,
  type ZoomOAuthSimulatorHandle,
} from "../../../src/simulators/zoom/ZoomOAuthSimulator.ts"
import { foreignHost } from "../okta/oktaTestKit.ts"

/** Real HTTP through the project's client, quick backoff; a fresh token cache per test. */
const Live = Authorization.layer(providers).pipe(
  Layer.provideMerge(ProviderHttp.layer({ retryBase: "10 millis" })),
)

/** The account's Authorization header value, as the service gives it. */
const zoomAuthorization = (account: IntegratedAccount) =>
  Effect.flatMap(Authorization, (authorization) => authorization.headerFor(account)).pipe(
    Effect.map(Redacted.value),
  )

const withZoomAuthorization = <A, E, R>(
  account: IntegratedAccount,
  call: (authorization: string) => Effect.Effect<A, E, R>,
) => withAuthorization(account, (authorization) => call(Redacted.value(authorization)))

let accounts = 0
const accountFor = (
  sim: ZoomOAuthSimulatorHandle,
  overrides: {
    readonly credentials?: Record<string, string>
    readonly settings?: Record<string, string>
    readonly baseUrl?: string
  } = {},
): IntegratedAccount => ({
  id: `zoom-test-${++accounts}`,
  integration: "zoom",
  baseUrl: new URL(overrides.baseUrl ?? sim.baseUrl),
  credentials: Schema.decodeUnknownSync(zoom.credentials)(overrides.credentials ?? sim.credentials),
  settings: overrides.settings ?? { token_url: sim.tokenUrl },
})

/** The protected resource: Zoom's `{code, message}` errors described as ProviderHttp expects. */
const usersMe = (account: IntegratedAccount, authorization: string) =>
  Effect.flatMap(ProviderHttp, (http) =>
    http.send({
      account,
      url: new URL("/v2/users/me", account.baseUrl),
      headers: { authorization },
      describeError: (body) => {
        const error = body as { code?: number; message?: string } | undefined
        return {
          ...(error?.code === undefined ? {} : { code: String(error.code) }),
          ...(error?.message === undefined ? {} : { message: error.message }),
        }
      },
    }),
  )

const me = (account: IntegratedAccount) =>
  withZoomAuthorization(account, (authorization) => usersMe(account, authorization))

describe("zoom server-to-server OAuth", () => {
  it.scopedLive("fetches a token with Basic client credentials and the grant in the form body", () =>
    Effect.gen(function* () {
      const sim = yield* startZoomOAuthSimulator()
      const account = accountFor(sim)
      const authorization = yield* zoomAuthorization(account)
      expect(authorization).toBe(`Bearer ${sim.issuedTokens()[0]}`)
      expect(sim.tokenRequests()).toEqual([
        {
          method: "POST",
          path: "/oauth/token",
          query: {},
          contentType: "application/x-www-form-urlencoded",
          authScheme: "Basic",
          clientId: sim.credentials.client_id,
          clientSecretValid: true,
          form: { grant_type: "account_credentials", account_id: sim.credentials.account_id },
          status: 200,
        },
      ])
      const response = yield* usersMe(account, authorization)
      expect(response.body).toMatchObject({ account_id: sim.credentials.account_id })
    }).pipe(Effect.provide(Live)),
  )

  it.scopedLive("reuses the token while it is valid", () =>
    Effect.gen(function* () {
      const sim = yield* startZoomOAuthSimulator()
      const account = accountFor(sim)
      for (let i = 0; i < 10; i++) yield* me(account)
      expect(sim.tokenRequests()).toHaveLength(1)
      expect(sim.apiRequests().map((r) => r.status)).toEqual(Array(10).fill(200))
    }).pipe(Effect.provide(Live)),
  )

  // On the TestClock, which the simulator's token expiry and the token cache both read: the simulator's token,
  // like Zoom's, lives 3,599 s, and is replaced a minute before it expires.
  it.scoped("fetches a new token when the current one is about to expire", () =>
    Effect.gen(function* () {
      const sim = yield* startZoomOAuthSimulator()
      const account = accountFor(sim)
      const first = yield* zoomAuthorization(account)
      yield* me(account)
      expect(sim.tokenRequests()).toHaveLength(1)
      // Short of the refresh point, the token is kept.
      yield* TestClock.adjust("58 minutes")
      expect(yield* zoomAuthorization(account)).toBe(first)
      expect(sim.tokenRequests()).toHaveLength(1)
      // Past the refresh point, still before Zoom would refuse the old token.
      yield* TestClock.adjust("90 seconds")
      const second = yield* zoomAuthorization(account)
      expect(second).not.toBe(first)
      yield* me(account)
      // Past the second token's expiry.
      yield* TestClock.adjust("61 minutes")
      yield* me(account)
      expect(sim.tokenRequests()).toHaveLength(3)
      expect(sim.apiRequests().map((r) => r.status)).toEqual([200, 200, 200])
    }).pipe(Effect.provide(Live)),
  )

  it.scopedLive("concurrent callers cause one token request", () =>
    Effect.gen(function* () {
      const sim = yield* startZoomOAuthSimulator()
      const account = accountFor(sim)
      const headers = yield* Effect.all(
        Array.from({ length: 20 }, () => zoomAuthorization(account)),
        { concurrency: "unbounded" },
      )
      expect(new Set(headers).size).toBe(1)
      yield* Effect.all(
        Array.from({ length: 20 }, () => me(account)),
        { concurrency: "unbounded" },
      )
      expect(sim.tokenRequests()).toHaveLength(1)
      expect(sim.apiRequests()).toHaveLength(20)
    }).pipe(Effect.provide(Live)),
  )

  for (const invalidClientStatus of [401, 400] as const) {
    it.scopedLive(
      `a wrong client secret (answered ${invalidClientStatus}) is ProviderUnauthorized, without secret or token in its message`,
      () =>
        Effect.gen(function* () {
          const sim = yield* startZoomOAuthSimulator({ invalidClientStatus })
          // A token is in circulation for another account, so a leak of any token would show.
          yield* me(accountFor(sim))
          const wrongSecret = "wrong-secret-0123456789abcdef"
          const account = accountFor(sim, { credentials: { ...sim.credentials, client_secret: wrongSecret } })
          const error = yield* Effect.flip(me(account))
          expect(error).toMatchObject({ _tag: "ProviderUnauthorized", status: invalidClientStatus })
          expect(error.message).toContain("invalid_client")
          expect(error.message).toContain("Invalid client_id or client_secret")
          const basic = Buffer.from(`${sim.credentials.client_id}:${wrongSecret}`).toString("base64")
          for (const secret of [wrongSecret, sim.credentials.client_secret, basic, ...sim.issuedTokens()]) {
            expect(error.message).not.toContain(secret)
            expect(JSON.stringify(error)).not.toContain(secret)
          }
          expect(sim.tokenRequests().map((r) => [r.status, r.clientSecretValid])).toEqual([
            [200, true],
            [invalidClientStatus, false],
          ])
          // Nothing reached the API with the bad account.
          expect(sim.apiRequests()).toHaveLength(1)
        }).pipe(Effect.provide(Live)),
    )
  }

  it.scopedLive("an API 401 after the token was revoked drops it and retries once with a new one", () =>
    Effect.gen(function* () {
      const sim = yield* startZoomOAuthSimulator()
      const account = accountFor(sim)
      yield* me(account)
      sim.revokeTokens()
      const response = yield* me(account)
      expect(response.status).toBe(200)
      expect(sim.tokenRequests()).toHaveLength(2)
      expect(sim.apiRequests().map((r) => r.status)).toEqual([200, 401, 200])
      // The new token is cached again.
      yield* me(account)
      expect(sim.tokenRequests()).toHaveLength(2)

      // Concurrent callers refused with the same token cause one new fetch between them.
      sim.revokeTokens()
      yield* Effect.all(
        Array.from({ length: 5 }, () => me(account)),
        { concurrency: "unbounded" },
      )
      expect(sim.tokenRequests()).toHaveLength(3)
    }).pipe(Effect.provide(Live)),
  )

  it.scopedLive("an API 401 is not retried endlessly: one retry, then the refusal", () =>
    Effect.gen(function* () {
      const sim = yield* startZoomOAuthSimulator()
      const account = accountFor(sim)
      const error = yield* Effect.flip(
        withZoomAuthorization(account, (authorization) =>
          Effect.zipRight(
            Effect.sync(() => sim.revokeTokens()),
            usersMe(account, authorization),
          ),
        ),
      )
      expect(error).toMatchObject({ _tag: "ProviderUnauthorized", status: 401 })
      expect(sim.tokenRequests()).toHaveLength(2)
      expect(sim.apiRequests().map((r) => r.status)).toEqual([401, 401])
    }).pipe(Effect.provide(Live)),
  )

  it.scopedLive("an access_token credential is sent as Bearer without contacting the token endpoint", () =>
    Effect.gen(function* () {
      const sim = yield* startZoomOAuthSimulator()
      const accessToken = sim.issueAccessToken()
      const account = accountFor(sim, { credentials: { access_token: accessToken } })
      expect(yield* zoomAuthorization(account)).toBe(`Bearer ${accessToken}`)
      yield* me(account)
      // A given token cannot be replaced by the connector: its 401 is the answer.
      sim.revokeTokens()
      const error = yield* Effect.flip(me(account))
      expect(error).toMatchObject({ _tag: "ProviderUnauthorized", status: 401 })
      expect(sim.tokenRequests()).toEqual([])
      expect(sim.apiRequests().map((r) => [r.authScheme, r.status])).toEqual([
        ["Bearer", 200],
        ["Bearer", 401],
      ])
    }).pipe(Effect.provide(Live)),
  )

  it.scopedLive("a token_url on another origin is used for the token request only", () =>
    Effect.gen(function* () {
      const sim = yield* startZoomOAuthSimulator()
      const api = yield* foreignHost
      // The account's API is elsewhere; the simulator serves only as its token endpoint.
      const account = accountFor(sim, { baseUrl: api.origin })
      const authorization = yield* zoomAuthorization(account)
      expect(sim.tokenRequests()).toHaveLength(1)
      expect(api.hits()).toBe(0)

      // The token URL's origin is not open to the account's other requests.
      const http = yield* ProviderHttp
      const refused = yield* Effect.flip(
        http.send({ account, url: new URL(`${sim.baseUrl}/v2/users/me`), headers: { authorization } }),
      )
      expect(refused).toMatchObject({ _tag: "ForeignHostRefused", host: new URL(sim.baseUrl).host })
      expect(sim.apiRequests()).toEqual([])

      yield* usersMe(account, authorization)
      expect(api.hits()).toBe(1)
    }).pipe(Effect.provide(Live)),
  )

  it.effect("without token_url the grant goes to Zoom's own token endpoint", () =>
    Effect.gen(function* () {
      const account: IntegratedAccount = {
        id: "zoom-default-token-url",
        integration: "zoom",
        baseUrl: new URL("https://api.zoom.us"),
        credentials: Schema.decodeUnknownSync(zoom.credentials)({
          account_id: "acc",
          client_id: "cid",
          client_secret: "csecret",
        }),
        settings: {},
      }
      if (!isGrant(account.credentials)) return expect.unreachable("server-to-server credentials")
      const grant = yield* zoomTokenGrant(account, account.credentials)
      expect(grant.url.href).toBe("https://zoom.us/oauth/token")
      expect(grant.headers).toEqual({
        authorization: `Basic ${Buffer.from("cid:csecret").toString("base64")}`,
        "content-type": "application/x-www-form-urlencoded",
      })
      expect(grant.body).toBe("grant_type=account_credentials&account_id=acc")
    }),
  )
})

describe("zoom settings in the config", () => {
  const doc = (settings: string) => `server:
  api_keys: ["an-api-key-of-sufficient-length"]
  cursor_secret: "a-cursor-secret-that-is-at-least-32-characters"
accounts:
  - id: e79d306f-64ce-44fa-8d96-4088ec849027
    integration: zoom
    credentials: { account_id: acc, client_id: cid, client_secret: csecret }
${settings}`

  it("reports a token_url that is not a URL with its path, without echoing it", () => {
    const result = parseConfig("test.yaml", doc("    settings: { token_url: not-a-url-7f3a9c }\n"))
    expect(Either.isLeft(result) && result.left.problems).toEqual([
      "accounts[0].settings.token_url: must be an absolute http(s) URL",
    ])
    expect(Either.isLeft(result) && result.left.message).not.toContain("7f3a9c")
  })

  it("reports an unknown settings key", () => {
    const result = parseConfig(
      "test.yaml",
      doc("    settings: { tokenurl: https://zoom.example/oauth/token }\n"),
    )
    expect(Either.isLeft(result) && result.left.problems).toEqual([
      "accounts[0].settings.tokenurl: unknown key",
    ])
  })

  it("accepts a token_url, and no settings at all", () => {
    const withUrl = parseConfig(
      "test.yaml",
      doc("    settings: { token_url: https://zoom.example/oauth/token }\n"),
    )
    expect(Either.isRight(withUrl) && withUrl.right.accounts[0]?.account.settings).toEqual({
      token_url: "https://zoom.example/oauth/token",
    })
    expect(Either.isRight(parseConfig("test.yaml", doc("")))).toBe(true)
  })
})
