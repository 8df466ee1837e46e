import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { accountOf, decodeJwt, loopbackServer, rsaKeyPair } from "../../auth/authTestKit.ts"
import { fetchPage, HttpLive } from "./oktaTestKit.ts"

// An Okta org that knows one OAuth service app: its token endpoint verifies the client assertion with the
// app's public key and issues tokens; its System Log takes only a token it issued and has not revoked.
const oktaOrg = (publicKeyPem: string) => {
  const issued: string[] = []
  let revoked = 0
  return Effect.map(
    loopbackServer((request) => {
      if (request.path === "/oauth2/v1/token") {
        const jwt = decodeJwt(request.form.client_assertion ?? "")
        if (request.form.grant_type !== "client_credentials" || request.form.scope !== "okta.logs.read") {
          return [400, { error: "invalid_request" }]
        }
        if (!jwt.verifiesWith(publicKeyPem) || jwt.claims.iss !== "0oa-service-app") {
          return [401, { error: "invalid_client", error_description: "The client_assertion is invalid." }]
        }
        issued.push(`okta-token-${issued.length + 1}`)
        return [
          200,
          { token_type: "Bearer", expires_in: 3600, access_token: issued.at(-1), scope: "okta.logs.read" },
        ]
      }
      const token = request.authorization?.replace(/^Bearer /, "")
      if (token === undefined || issued.indexOf(token) < revoked) {
        return [401, { errorCode: "E0000011", errorSummary: "Invalid token provided" }]
      }
      return [200, [], { link: '</api/v1/logs?after=cursor-1&limit=10>; rel="next"' }]
    }),
    (server) => ({
      ...server,
      issued: () => [...issued],
      revokeAll: () => {
        revoked = issued.length
      },
    }),
  )
}

describe("okta OAuth service app (client_id + private_key)", () => {
  it.scopedLive("reads the System Log with a token fetched by private_key_jwt, renewed after a 401", () =>
    Effect.gen(function* () {
      const { privateKeyPem, publicKeyPem } = rsaKeyPair()
      const org = yield* oktaOrg(publicKeyPem)
      const account = accountOf(
        "okta",
        { client_id: "0oa-service-app", private_key: privateKeyPem },
        { baseUrl: org.origin },
      )
      const read = (position?: { next: string }) => fetchPage({ account, filters: {}, position, limit: 10 })

      const first = yield* read()
      yield* read(first.next)
      expect(org.issued()).toEqual(["okta-token-1"])

      org.revokeAll()
      yield* read(first.next)
      expect(org.issued()).toEqual(["okta-token-1", "okta-token-2"])
      expect(org.requests().map((r) => [r.path.split("?")[0], r.authorization ?? null])).toEqual([
        ["/oauth2/v1/token", null],
        ["/api/v1/logs", "Bearer okta-token-1"],
        ["/api/v1/logs", "Bearer okta-token-1"],
        ["/api/v1/logs", "Bearer okta-token-1"],
        ["/oauth2/v1/token", null],
        ["/api/v1/logs", "Bearer okta-token-2"],
      ])
    }).pipe(Effect.provide(HttpLive)),
  )

  it.scopedLive("a key the app does not know is ProviderUnauthorized, and no log request is made", () =>
    Effect.gen(function* () {
      const org = yield* oktaOrg(rsaKeyPair().publicKeyPem)
      const account = accountOf(
        "okta",
        { client_id: "0oa-service-app", private_key: rsaKeyPair().privateKeyPem },
        { baseUrl: org.origin },
      )
      const error = yield* Effect.flip(fetchPage({ account, filters: {}, position: undefined, limit: 10 }))
      expect(error).toMatchObject({ _tag: "ProviderUnauthorized", status: 401 })
      expect(error.message).toContain("invalid_client")
      expect(org.requests().map((r) => r.path)).toEqual(["/oauth2/v1/token"])
    }).pipe(Effect.provide(HttpLive)),
  )
})
