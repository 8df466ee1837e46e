import { createServer, type IncomingMessage, type ServerResponse } from "node:http"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Redacted } from "effect"
import type { TokenGrant } from "../../src/auth/grants.ts"
import { makeTokenCache } from "../../src/auth/TokenCache.ts"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { ProviderHttp } from "../../src/http/ProviderHttp.ts"

const Live = ProviderHttp.layer({ retryBase: "10 millis" })

/** A token endpoint answering from a script, one entry per request (the last one repeats). */
const tokenEndpoint = (script: ReadonlyArray<readonly [number, unknown]>) =>
  Effect.acquireRelease(
    Effect.async<{ url: URL; hits: () => number; close: () => void }>((resume) => {
      let hits = 0
      const server = createServer((_req: IncomingMessage, res: ServerResponse) => {
        const [status, body] = script[Math.min(hits++, script.length - 1)] ?? [500, {}]
        res.statusCode = status
        res.setHeader("Content-Type", "application/json")
        res.end(JSON.stringify(body))
      })
      server.listen(0, "127.0.0.1", () => {
        const address = server.address()
        const port = typeof address === "object" && address ? address.port : 0
        resume(
          Effect.succeed({
            url: new URL(`http://127.0.0.1:${port}/oauth2/token`),
            hits: () => hits,
            close: () => {
              server.closeAllConnections()
              server.close()
            },
          }),
        )
      })
    }),
    (endpoint) => Effect.sync(endpoint.close),
  )

const secret = "s3cr3t-client-secret-value"
const refreshToken = "r3fr3sh-token-value-0123456789"
const account: IntegratedAccount = {
  id: "oauth-tokens-test",
  integration: "dropbox",
  baseUrl: new URL("https://api.example.com"),
  credentials: { _tag: "Bearer", token: Redacted.make("unused") },
  settings: {},
}
const grantFor = (url: URL) =>
  Effect.succeed<TokenGrant>({
    url,
    headers: {
      authorization: `Basic ${Buffer.from(`client:${secret}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "refresh_token", refresh_token: refreshToken }).toString(),
  })

const expectNoSecretIn = (error: { message: string }) => {
  for (const value of [
    secret,
    refreshToken,
    Buffer.from(`client:${secret}`).toString("base64"),
    "leaked-token",
  ]) {
    expect(error.message).not.toContain(value)
    expect(JSON.stringify(error)).not.toContain(value)
  }
}

describe("TokenCache", () => {
  it.scopedLive("masks secrets a token endpoint echoes in its error", () =>
    Effect.gen(function* () {
      const endpoint = yield* tokenEndpoint([
        [
          400,
          {
            error: "invalid_grant",
            error_description: `refresh token ${refreshToken} for ${secret} revoked`,
          },
        ],
      ])
      const tokens = yield* makeTokenCache
      const error = yield* Effect.flip(tokens.accessToken(account, grantFor(endpoint.url)))
      expect(error).toMatchObject({ _tag: "ProviderUnauthorized", status: 400 })
      expect(error.message).toContain("invalid_grant")
      expectNoSecretIn(error)
    }).pipe(Effect.provide(Live)),
  )

  it.scopedLive("other 4xx are ProviderRejected; an undocumented success body is ProviderBadResponse", () =>
    Effect.gen(function* () {
      const tokens = yield* makeTokenCache
      const rejecting = yield* tokenEndpoint([[400, { error: "unsupported_grant_type" }]])
      const rejected = yield* Effect.flip(tokens.accessToken(account, grantFor(rejecting.url)))
      expect(rejected).toMatchObject({
        _tag: "ProviderRejected",
        status: 400,
        code: "unsupported_grant_type",
      })

      const odd = yield* tokenEndpoint([[200, { access_token: "leaked-token", expires_in: "soon" }]])
      const bad = yield* Effect.flip(tokens.accessToken({ ...account, id: "other" }, grantFor(odd.url)))
      expect(bad).toMatchObject({ _tag: "ProviderBadResponse" })
      expect(bad.message).toContain("expires_in")
      expectNoSecretIn(bad)
    }).pipe(Effect.provide(Live)),
  )

  it.scopedLive("a 5xx from the token endpoint is retried", () =>
    Effect.gen(function* () {
      const endpoint = yield* tokenEndpoint([
        [503, { error: "temporarily_unavailable" }],
        [200, { access_token: "fresh-token", token_type: "bearer", expires_in: 3600 }],
      ])
      const tokens = yield* makeTokenCache
      const token = yield* tokens.accessToken(account, grantFor(endpoint.url))
      expect(Redacted.value(token)).toBe("fresh-token")
      expect(String(token)).not.toContain("fresh-token")
      expect(yield* tokens.accessToken(account, grantFor(endpoint.url))).toBe(token)
      expect(endpoint.hits()).toBe(2)
    }).pipe(Effect.provide(Live)),
  )
})
