import { generateKeyPairSync, verify } from "node:crypto"
import { type Authorization, newSecret } from "../kit/authorization.ts"
import { bearerTokens } from "../kit/bearerTokens.ts"
import type { Reply } from "../kit/Reply.ts"
import type { SimulatorRequest } from "../kit/serveSimulator.ts"

// Salesforce's OAuth token endpoint, `POST /services/oauth2/token` (form-encoded), for the three grants the
// connector uses: refresh token, JWT bearer, client credentials. The login host (login.salesforce.com, or
// test.) serves the first two; client credentials is only served by the org's My Domain. Answers carry
// `instance_url` and no `expires_in`: a session lasts per org policy. Errors are `{error, error_description}`.
// The exact wording of some refusals (marked) was not found in Salesforce's documentation.
//
// Refresh Token Rotation (an option of connected apps and external client apps, Salesforce Help "OAuth 2.0
// Refresh Token Flow for Renewed Sessions" and "Force one-time-use Refresh Tokens"): each refresh answers a
// new refresh token beside the session and invalidates the one sent; presenting an invalidated one again
// revokes the current refresh token and every session issued from it. Refused refresh tokens are answered
// 400 `{"error":"invalid_grant","error_description":"expired access/refresh token"}`.

export const TOKEN_PATH = "/services/oauth2/token"

const JWT_BEARER = "urn:ietf:params:oauth:grant-type:jwt-bearer"
/** Salesforce refuses an assertion whose `exp` lies more than three minutes ahead. */
const MAX_ASSERTION_LIFETIME_S = 180

/** Which host a token request reached. */
export type TokenHost = "login" | "my-domain"

/** What the token request log keeps: never a secret, an assertion or a token. */
export interface TokenRequestNote {
  readonly host: TokenHost
  readonly grantType: string | undefined
  readonly clientId: string | undefined
  readonly error?: string
}

export interface SalesforceTokenIssuerOptions {
  /** How long an issued session is accepted (org session policy); two hours unless given. */
  readonly sessionLifetimeMs?: number
  /** The app has Refresh Token Rotation enabled: every refresh answers a new refresh token, once usable. */
  readonly refreshTokenRotation?: boolean
}

export interface SalesforceTokenIssuer {
  /** The connected app and its integration user, in the config's `credentials` forms. */
  readonly refresh: {
    readonly client_id: string
    readonly client_secret: string
    readonly refresh_token: string
  }
  readonly jwt: { readonly client_id: string; readonly username: string; readonly private_key: string }
  readonly clientCredentials: { readonly client_id: string; readonly client_secret: string }
  readonly tokenEndpoint: (
    host: TokenHost,
    request: SimulatorRequest,
    audience: string,
  ) => Reply<TokenRequestNote>
  /** Whether the header carries a session issued here, neither expired at `at` nor revoked. */
  readonly accepts: (authorization: Authorization, at: number) => boolean
  readonly mint: () => string
  readonly revokeAll: () => void
  /** The refresh token the app accepts now (with rotation, the latest issued; undefined once revoked). */
  readonly currentRefreshToken: () => string | undefined
}

const decodeSegment = (segment: string): unknown => {
  try {
    return JSON.parse(Buffer.from(segment, "base64url").toString("utf8"))
  } catch {
    return undefined
  }
}

export const salesforceTokenIssuer = (
  now: () => number,
  instanceOrigin: () => string,
  options: SalesforceTokenIssuerOptions = {},
): SalesforceTokenIssuer => {
  const lifetimeMs = options.sessionLifetimeMs ?? 2 * 3_600_000
  const clientId = `3MVG9${newSecret(60)}`
  const clientSecret = newSecret(32)
  const configuredRefreshToken = `5Aep861${newSecret(60)}`
  let refreshToken: string | undefined = configuredRefreshToken
  /** Refresh tokens rotated away: presenting one again is taken as a stolen token's reuse. */
  const rotatedAway = new Set<string>()
  const username = "integration@acme.example"
  const { privateKey, publicKey } = generateKeyPairSync("rsa", {
    modulusLength: 2048,
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
    publicKeyEncoding: { type: "spki", format: "pem" },
  })
  const orgId = "00DRO000000AbCdEFG"
  const userId = "005RO000001IntUsr"
  const usedJti = new Set<string>()
  // Session ids look like `00D…!AQ…`.
  const sessions = bearerTokens({
    now,
    lifetimeMs,
    newToken: () => `${orgId.slice(0, 15)}!AQ${newSecret(72)}`,
  })

  const issued = (note: TokenRequestNote, extra: Record<string, string> = {}): Reply<TokenRequestNote> => ({
    status: 200,
    note,
    body: {
      ...extra,
      access_token: sessions.mint(),
      signature: newSecret(32),
      scope: "api",
      instance_url: instanceOrigin(),
      id: `${instanceOrigin()}/id/${orgId}/${userId}`,
      token_type: "Bearer",
      issued_at: String(now()),
    },
  })

  const refused = (note: TokenRequestNote, error: string, description: string): Reply<TokenRequestNote> => ({
    status: 400,
    note: { ...note, error },
    body: { error, error_description: description },
  })

  /** The JWT bearer assertion (RFC 7523), checked as Salesforce documents: RS256 under the app's certificate. */
  const assertionProblem = (assertion: string, audience: string): string | undefined => {
    const [header, payload, signature, extra] = assertion.split(".")
    if (header === undefined || payload === undefined || signature === undefined || extra !== undefined) {
      return "invalid assertion"
    }
    const head = decodeSegment(header) as { alg?: unknown } | undefined
    const claims = decodeSegment(payload) as
      | { iss?: unknown; sub?: unknown; aud?: unknown; exp?: unknown; jti?: unknown }
      | undefined
    if (head?.alg !== "RS256" || claims === undefined) return "invalid assertion"
    const signed = verify(
      "sha256",
      Buffer.from(`${header}.${payload}`),
      publicKey,
      Buffer.from(signature, "base64url"),
    )
    if (!signed) return "invalid assertion"
    if (claims.iss !== clientId) return "invalid client credentials"
    if (claims.sub !== username) return "user hasn't approved this consumer"
    if (claims.aud !== audience) return "audience is invalid"
    const nowS = Math.floor(now() / 1000)
    if (
      typeof claims.exp !== "number" ||
      claims.exp <= nowS ||
      claims.exp > nowS + MAX_ASSERTION_LIFETIME_S
    ) {
      return "expired authorization code"
    }
    if (typeof claims.jti === "string") {
      if (usedJti.has(claims.jti)) return "invalid assertion"
      usedJti.add(claims.jti)
    }
    return undefined
  }

  const tokenEndpoint = (
    host: TokenHost,
    request: SimulatorRequest,
    audience: string,
  ): Reply<TokenRequestNote> => {
    const form = /^application\/x-www-form-urlencoded\b/i.test(request.headers["content-type"] ?? "")
      ? new URLSearchParams(request.body)
      : new URLSearchParams()
    const grantType = form.get("grant_type") ?? undefined
    const note: TokenRequestNote = { host, grantType, clientId: form.get("client_id") ?? undefined }
    if (request.method !== "POST") return refused(note, "invalid_request", "must use HTTP POST")
    switch (grantType) {
      case "refresh_token":
      case "client_credentials": {
        if (grantType === "client_credentials" && host === "login") {
          // Wording not confirmed; the fact (My Domain only) is documented.
          return refused(note, "invalid_grant", "request not supported on this domain")
        }
        if (form.get("client_id") !== clientId)
          return refused(note, "invalid_client_id", "client identifier invalid")
        if (form.get("client_secret") !== clientSecret) {
          return refused(note, "invalid_client", "invalid client credentials")
        }
        if (grantType === "refresh_token") {
          const presented = form.get("refresh_token") ?? ""
          if (refreshToken === undefined || presented !== refreshToken) {
            if (rotatedAway.has(presented)) {
              refreshToken = undefined
              sessions.revokeAll()
            }
            return refused(note, "invalid_grant", "expired access/refresh token")
          }
          if (options.refreshTokenRotation) {
            rotatedAway.add(presented)
            refreshToken = `5Aep861${newSecret(60)}`
            return issued(note, { refresh_token: refreshToken })
          }
        }
        return issued(note)
      }
      case JWT_BEARER: {
        const problem = assertionProblem(form.get("assertion") ?? "", audience)
        return problem === undefined ? issued(note) : refused(note, "invalid_grant", problem)
      }
      default:
        return refused(note, "unsupported_grant_type", "grant type not supported")
    }
  }

  return {
    refresh: { client_id: clientId, client_secret: clientSecret, refresh_token: configuredRefreshToken },
    jwt: { client_id: clientId, username, private_key: privateKey },
    clientCredentials: { client_id: clientId, client_secret: clientSecret },
    tokenEndpoint,
    accepts: sessions.accepts,
    mint: sessions.mint,
    revokeAll: sessions.revokeAll,
    currentRefreshToken: () => refreshToken,
  }
}
