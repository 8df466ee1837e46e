import { describe, expect, it } from "@effect/vitest"
import { Effect, HashMap, Layer, Logger, LogLevel, Redacted } from "effect"
import { Authorization, withAuthorization } from "../../src/auth/Authorization.ts"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { ProviderHttp } from "../../src/http/ProviderHttp.ts"
import { providers } from "../../src/providers/registry.ts"
import {
  accountOf,
  decodeJwt,
  issueTokens,
  loopbackServer,
  type RecordedRequest,
  rsaKeyPair,
} from "./authTestKit.ts"

// Each provider's declared grant, sent over real HTTP to a loopback token endpoint that checks what a
// provider's endpoint would: the path, the client authentication and the grant's form fields, and for the
// JWT grants the assertion's claims and its signature under the public key.

const Live = Authorization.layer(providers).pipe(
  Layer.provideMerge(ProviderHttp.layer({ retryBase: "10 millis" })),
)

const headerFor = (account: IntegratedAccount) =>
  Effect.flatMap(Authorization, (authorization) => authorization.headerFor(account)).pipe(
    Effect.map(Redacted.value),
  )

const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`

const formContentType = "application/x-www-form-urlencoded"

const { privateKeyPem, publicKeyPem } = rsaKeyPair()

/** Every token-endpoint request the server saw, less the assertion (checked apart: it differs every time). */
const withoutAssertions = (requests: ReadonlyArray<RecordedRequest>) =>
  requests.map(({ form: { assertion: _a, client_assertion: _c, ...form }, ...request }) => ({
    ...request,
    form,
  }))

describe("refresh-token grants", () => {
  const refresh = { refresh_token: "r3fr3sh-0123", client_id: "the-client", client_secret: "s3cr3t-4567" }

  it.scopedLive("dropbox: form-encoded client id and secret, at settings.token_url", () =>
    Effect.gen(function* () {
      const endpoint = yield* loopbackServer(issueTokens())
      const account = accountOf("dropbox", refresh, {
        settings: { token_url: `${endpoint.origin}/oauth2/token` },
      })
      expect(yield* headerFor(account)).toBe("Bearer tok-1")
      expect(yield* headerFor(account)).toBe("Bearer tok-1")
      expect(endpoint.requests()).toEqual([
        {
          method: "POST",
          path: "/oauth2/token",
          authorization: undefined,
          contentType: formContentType,
          form: { grant_type: "refresh_token", ...refresh },
        },
      ])
    }).pipe(Effect.provide(Live)),
  )

  it.scopedLive("figma: client id and secret as Basic, at its refresh endpoint", () =>
    Effect.gen(function* () {
      const endpoint = yield* loopbackServer(issueTokens())
      const account = accountOf("figma", refresh, {
        settings: { token_url: `${endpoint.origin}/v1/oauth/refresh` },
      })
      expect(yield* headerFor(account)).toBe("Bearer tok-1")
      expect(endpoint.requests()).toEqual([
        {
          method: "POST",
          path: "/v1/oauth/refresh",
          authorization: basic("the-client", "s3cr3t-4567"),
          contentType: formContentType,
          form: { grant_type: "refresh_token", refresh_token: "r3fr3sh-0123" },
        },
      ])
    }).pipe(Effect.provide(Live)),
  )

  it.scopedLive("hubspot: form-encoded client id and secret", () =>
    Effect.gen(function* () {
      const endpoint = yield* loopbackServer(issueTokens())
      const account = accountOf("hubspot", refresh, {
        settings: { token_url: `${endpoint.origin}/oauth/v1/token` },
      })
      expect(yield* headerFor(account)).toBe("Bearer tok-1")
      expect(endpoint.requests().map((r) => [r.path, r.authorization, r.form])).toEqual([
        ["/oauth/v1/token", undefined, { grant_type: "refresh_token", ...refresh }],
      ])
    }).pipe(Effect.provide(Live)),
  )

  it.scopedLive("salesforce: at settings.login_url; a token without expires_in is kept until refused", () =>
    Effect.gen(function* () {
      // Salesforce answers with instance_url and no expires_in (sessions end by org policy).
      const endpoint = yield* loopbackServer(issueTokens({ instance_url: "https://elsewhere.example" }))
      const account = accountOf("salesforce", refresh, {
        baseUrl: "https://acme.my.salesforce.com",
        settings: { login_url: endpoint.origin },
      })
      expect(yield* headerFor(account)).toBe("Bearer tok-1")
      expect(yield* headerFor(account)).toBe("Bearer tok-1")
      expect(endpoint.requests().map((r) => [r.path, r.authorization, r.form])).toEqual([
        ["/services/oauth2/token", undefined, { grant_type: "refresh_token", ...refresh }],
      ])
      // Refused by the API: one renewal.
      const authorization = yield* Authorization
      yield* authorization.invalidate(account, Redacted.make("Bearer tok-1"))
      expect(yield* headerFor(account)).toBe("Bearer tok-2")
    }).pipe(Effect.provide(Live)),
  )
})

describe("client-credentials grants", () => {
  it.scopedLive("salesforce: at the org's own My Domain (the account's base_url), not the login URL", () =>
    Effect.gen(function* () {
      const myDomain = yield* loopbackServer(issueTokens())
      const account = accountOf(
        "salesforce",
        { client_id: "consumer-key", client_secret: "consumer-s3cr3t" },
        { baseUrl: myDomain.origin, settings: { login_url: "https://login.invalid" } },
      )
      expect(yield* headerFor(account)).toBe("Bearer tok-1")
      expect(myDomain.requests()).toEqual([
        {
          method: "POST",
          path: "/services/oauth2/token",
          authorization: undefined,
          contentType: formContentType,
          form: {
            grant_type: "client_credentials",
            client_id: "consumer-key",
            client_secret: "consumer-s3cr3t",
          },
        },
      ])
    }).pipe(Effect.provide(Live)),
  )
})

describe("JWT grants", () => {
  it.scopedLive(
    "salesforce JWT bearer: RS256 assertion with iss = client id, sub = user, aud = login URL",
    () =>
      Effect.gen(function* () {
        const login = yield* loopbackServer(issueTokens())
        const account = accountOf(
          "salesforce",
          { client_id: "consumer-key", username: "integration@acme.example", private_key: privateKeyPem },
          { baseUrl: "https://acme.my.salesforce.com", settings: { login_url: login.origin } },
        )
        expect(yield* headerFor(account)).toBe("Bearer tok-1")
        expect(withoutAssertions(login.requests())).toEqual([
          {
            method: "POST",
            path: "/services/oauth2/token",
            authorization: undefined,
            contentType: formContentType,
            form: { grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer" },
          },
        ])
        const jwt = decodeJwt(login.requests()[0]?.form.assertion ?? "")
        expect(jwt.verifiesWith(publicKeyPem)).toBe(true)
        expect(jwt.verifiesWith(rsaKeyPair().publicKeyPem)).toBe(false)
        expect(jwt.header).toEqual({ alg: "RS256", typ: "JWT" })
        expect(jwt.claims).toMatchObject({
          iss: "consumer-key",
          sub: "integration@acme.example",
          aud: login.origin,
        })
        const { iat, exp } = jwt.claims as { iat: number; exp: number }
        // Salesforce refuses an assertion that lives longer than 3 minutes.
        expect(exp - iat).toBe(180)
        expect(Math.abs(iat - Date.now() / 1000)).toBeLessThan(30)
      }).pipe(Effect.provide(Live)),
  )

  it.scopedLive(
    "okta service app: client_credentials with a private_key_jwt assertion at {domain}/oauth2/v1/token",
    () =>
      Effect.gen(function* () {
        const okta = yield* loopbackServer(issueTokens())
        const account = accountOf(
          "okta",
          { client_id: "0oa-service-app", private_key: privateKeyPem, key_id: "key-2026" },
          { baseUrl: okta.origin },
        )
        expect(yield* headerFor(account)).toBe("Bearer tok-1")
        // A renewal signs a new assertion: a replayed one (same jti) would be refused.
        yield* (yield* Authorization).invalidate(account)
        expect(yield* headerFor(account)).toBe("Bearer tok-2")

        expect(withoutAssertions(okta.requests())).toEqual(
          Array(2).fill({
            method: "POST",
            path: "/oauth2/v1/token",
            authorization: undefined,
            contentType: formContentType,
            form: {
              grant_type: "client_credentials",
              scope: "okta.logs.read",
              client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
            },
          }),
        )
        const jwts = okta.requests().map((r) => decodeJwt(r.form.client_assertion ?? ""))
        for (const jwt of jwts) {
          expect(jwt.verifiesWith(publicKeyPem)).toBe(true)
          expect(jwt.header).toEqual({ alg: "RS256", typ: "JWT", kid: "key-2026" })
          expect(jwt.claims).toMatchObject({
            iss: "0oa-service-app",
            sub: "0oa-service-app",
            aud: `${okta.origin}/oauth2/v1/token`,
          })
          const { iat, exp } = jwt.claims as { iat: number; exp: number }
          // Okta refuses an exp more than an hour ahead.
          expect(exp - iat).toBeGreaterThan(0)
          expect(exp - iat).toBeLessThanOrEqual(3600)
        }
        const jtis = jwts.map((jwt) => jwt.claims.jti)
        expect(new Set(jtis).size).toBe(2)
        expect(jtis.every((jti) => typeof jti === "string" && jti.length >= 16)).toBe(true)
      }).pipe(Effect.provide(Live)),
  )

  it.scopedLive("without key_id the assertion carries no kid", () =>
    Effect.gen(function* () {
      const okta = yield* loopbackServer(issueTokens())
      const account = accountOf(
        "okta",
        { client_id: "0oa-service-app", private_key: privateKeyPem.replaceAll("\n", "\\n") },
        { baseUrl: okta.origin },
      )
      yield* headerFor(account)
      expect(decodeJwt(okta.requests()[0]?.form.client_assertion ?? "").header).toEqual({
        alg: "RS256",
        typ: "JWT",
      })
    }).pipe(Effect.provide(Live)),
  )
})

describe("a failed token fetch", () => {
  const clientSecret = "cl13nt-s3cr3t-9f8e7d"
  const refreshToken = "r3fr3sh-t0k3n-6c5b4a"

  /** Log lines at every level, as text, so a secret anywhere in them shows. */
  const captureLogs = () => {
    const lines: string[] = []
    const layer = Layer.merge(
      Logger.replace(
        Logger.defaultLogger,
        Logger.make(({ message, annotations }) => {
          lines.push(
            JSON.stringify({ message, annotations: Object.fromEntries(HashMap.toEntries(annotations)) }),
          )
        }),
      ),
      Logger.minimumLogLevel(LogLevel.All),
    )
    return { lines, layer }
  }

  const refusing = (status: number, echoed: string) => (_request: RecordedRequest) =>
    [status, { error: "invalid_grant", error_description: `grant ${echoed} is not valid` }] as const

  it.scopedLive("puts no secret in its error or in any log line, whatever the endpoint echoes", () => {
    const logs = captureLogs()
    return Effect.gen(function* () {
      const { privateKeyPem: otherKeyPem } = rsaKeyPair()
      const cases: ReadonlyArray<{ account: (origin: string) => IntegratedAccount; secrets: string[] }> = [
        {
          account: (origin) =>
            accountOf(
              "dropbox",
              { refresh_token: refreshToken, client_id: "the-client", client_secret: clientSecret },
              { settings: { token_url: `${origin}/oauth2/token` } },
            ),
          secrets: [refreshToken, clientSecret],
        },
        {
          account: (origin) =>
            accountOf(
              "figma",
              { refresh_token: refreshToken, client_id: "the-client", client_secret: clientSecret },
              { settings: { token_url: `${origin}/v1/oauth/refresh` } },
            ),
          secrets: [refreshToken, clientSecret, Buffer.from(`the-client:${clientSecret}`).toString("base64")],
        },
        {
          account: (origin) =>
            accountOf("okta", { client_id: "0oa-app", private_key: otherKeyPem }, { baseUrl: origin }),
          secrets: [otherKeyPem, otherKeyPem.split("\n")[1] ?? "unreachable"],
        },
      ]
      for (const { account: accountAt, secrets } of cases) {
        const assertions: string[] = []
        const endpoint = yield* loopbackServer((request) => {
          const echoed =
            request.form.refresh_token ?? request.form.client_assertion ?? request.authorization ?? ""
          if (request.form.client_assertion) assertions.push(request.form.client_assertion)
          return refusing(400, `${echoed} ${request.form.client_secret ?? ""}`)(request)
        })
        const account = accountAt(endpoint.origin)
        const error = yield* Effect.flip(withAuthorization(account, () => Effect.void))
        expect(error).toMatchObject({ _tag: "ProviderUnauthorized", status: 400 })
        expect(error.message).toContain("invalid_grant")
        expect(error.message).toContain("[redacted]")
        const printed = [error.message, JSON.stringify(error), String(error), ...logs.lines].join("\n")
        for (const secret of [...secrets, ...assertions]) expect(printed).not.toContain(secret)
      }
      expect(logs.lines.length).toBeGreaterThan(0)
    }).pipe(Effect.provide(Layer.merge(Live, logs.layer)))
  })

  it.scopedLive("a 401 from the API renews the token once, retries once, and logs no token", () => {
    const logs = captureLogs()
    return Effect.gen(function* () {
      const endpoint = yield* loopbackServer(issueTokens())
      const api = yield* loopbackServer(() => [401, { message: "token revoked" }])
      const account = accountOf(
        "hubspot",
        { refresh_token: refreshToken, client_id: "the-client", client_secret: clientSecret },
        { baseUrl: api.origin, settings: { token_url: `${endpoint.origin}/oauth/v1/token` } },
      )
      const error = yield* Effect.flip(
        withAuthorization(account, (authorization) =>
          Effect.flatMap(ProviderHttp, (http) =>
            http.send({
              account,
              url: new URL("/account-info/v3/activity/login", api.origin),
              headers: { authorization: Redacted.value(authorization) },
            }),
          ),
        ),
      )
      expect(error).toMatchObject({ _tag: "ProviderUnauthorized", status: 401 })
      expect(api.requests().map((r) => r.authorization)).toEqual(["Bearer tok-1", "Bearer tok-2"])
      expect(endpoint.requests()).toHaveLength(2)
      expect(logs.lines.some((line) => line.includes("retrying once with a new one"))).toBe(true)
      for (const token of ["tok-1", "tok-2", refreshToken, clientSecret]) {
        expect(logs.lines.join("\n")).not.toContain(token)
      }
    }).pipe(Effect.provide(Layer.merge(Live, logs.layer)))
  })
})
