import type { ZoomError } from "../../providers/zoom/ZoomError.ts"
import { type Authorization, basicCredentials, newSecret } from "../kit/authorization.ts"
import { bearerTokens } from "../kit/bearerTokens.ts"
import type { Reply } from "../kit/Reply.ts"
import type { SimulatorRequest } from "../kit/serveSimulator.ts"

export const TOKEN_PATH = "/oauth/token"

/** Zoom's answer to a missing, unknown, expired or revoked Bearer token on any API call. */
export const invalidAccessToken: ZoomError = { code: 124, message: "Invalid access token." }

// Zoom's token endpoint answers errors as `{reason, error}`; its API as `{code, message}`.
const invalidClient = { reason: "Invalid client_id or client_secret", error: "invalid_client" }
const unsupportedGrant = { reason: "unsupported grant type", error: "unsupported_grant_type" }
const missingAccountId = { reason: "Invalid request : Missing account_id", error: "invalid_request" }

/** What the request log keeps of a token request beyond the basics; the secret is only checked. */
export interface TokenRequestNote {
  readonly contentType: string | undefined
  readonly clientId: string | undefined
  readonly clientSecretValid: boolean
  readonly form: Readonly<Record<string, string>>
}

export interface ZoomTokenIssuerOptions {
  /** `expires_in` of issued tokens, in seconds; Zoom's are 3599 (sometimes 3600). */
  readonly tokenLifetimeSeconds?: number
  /** Zoom has been seen answering a wrong client id or secret with 400 as well as 401. */
  readonly invalidClientStatus?: 400 | 401
}

/** One Server-to-Server OAuth app and the access tokens handed out to it. */
export interface ZoomTokenIssuer {
  /** The app, in the config's `credentials` form; fresh per start, never seeded. */
  readonly credentials: {
    readonly account_id: string
    readonly client_id: string
    readonly client_secret: string
  }
  /** `POST /oauth/token` with `grant_type=account_credentials` and Basic client authentication. */
  readonly tokenEndpoint: (request: SimulatorRequest) => Reply<TokenRequestNote>
  /** Whether the header carries a Bearer token handed out here, neither expired at `at` nor revoked. */
  readonly accepts: (authorization: Authorization, at: number) => boolean
  /** A new token, as if the app had fetched one. */
  readonly mint: () => string
  readonly issued: () => ReadonlyArray<string>
  /** Every token issued so far stops being accepted. */
  readonly revokeAll: () => void
}

export const zoomTokenIssuer = (now: () => number, options: ZoomTokenIssuerOptions = {}): ZoomTokenIssuer => {
  const lifetimeSeconds = options.tokenLifetimeSeconds ?? 3599
  const credentials = {
    account_id: newSecret(16),
    client_id: newSecret(16),
    client_secret: newSecret(24),
  }
  const tokens = bearerTokens({
    now,
    lifetimeMs: lifetimeSeconds * 1000,
    newToken: () => `eyJ${newSecret(96)}`,
  })

  const tokenEndpoint = (request: SimulatorRequest): Reply<TokenRequestNote> => {
    const contentType = request.headers["content-type"]
    // Zoom reads the grant from the form body only; parameters in the query string are not looked at.
    const form = /^application\/x-www-form-urlencoded\b/i.test(contentType ?? "")
      ? new URLSearchParams(request.body)
      : new URLSearchParams()
    const basic = basicCredentials(request.authorization)
    const clientSecretValid = basic !== undefined && basic.password === credentials.client_secret
    const note: TokenRequestNote = {
      contentType,
      clientId: basic?.userId,
      clientSecretValid,
      form: Object.fromEntries(
        [...form].map(([key, value]) => [key, key === "client_secret" ? "[not kept]" : value]),
      ),
    }
    const answer = (status: number, body: unknown): Reply<TokenRequestNote> => ({ status, body, note })

    if (request.method !== "POST") {
      return answer(405, { reason: "Method Not Allowed", error: "invalid_request" })
    }
    if (basic?.userId !== credentials.client_id || !clientSecretValid) {
      return answer(options.invalidClientStatus ?? 401, invalidClient)
    }
    if (form.get("grant_type") !== "account_credentials") return answer(400, unsupportedGrant)
    const accountId = form.get("account_id")
    if (!accountId) return answer(400, missingAccountId)
    // The app belongs to one account (wording of this answer not confirmed against Zoom).
    if (accountId !== credentials.account_id) {
      return answer(400, { reason: "Invalid request : Invalid account_id", error: "invalid_request" })
    }
    return answer(200, {
      access_token: tokens.mint(),
      token_type: "bearer",
      expires_in: lifetimeSeconds,
      scope: "report:read:admin user:read:admin",
      api_url: request.origin,
    })
  }

  return {
    credentials,
    tokenEndpoint,
    ...tokens,
  }
}
