import { Effect, type Scope } from "effect"
import { basicCredentials, credentialsUnder, newSecret } from "../kit/authorization.ts"
import type { Reply } from "../kit/Reply.ts"
import { type SimulatorRequest, serveSimulator } from "../kit/serveSimulator.ts"
import { simulatorClock } from "../kit/simulatorClock.ts"

export interface ZoomOAuthSimulatorOptions {
  /** `expires_in` of issued tokens, in seconds; Zoom's are 3599 (sometimes 3600). */
  readonly tokenLifetimeSeconds?: number
  /** Zoom has been seen answering a wrong client id or secret with 400 as well as 401. */
  readonly invalidClientStatus?: 400 | 401
  readonly port?: number
}

/** A token request as the simulator saw it. It keeps no secret: the Basic password is only checked. */
export interface TokenRequestReceived {
  readonly method: string
  readonly path: string
  readonly query: Readonly<Record<string, string>>
  readonly contentType: string | undefined
  readonly authScheme: string | undefined
  /** The client id of the Basic credentials. */
  readonly clientId: string | undefined
  readonly clientSecretValid: boolean
  /** The form body's fields. */
  readonly form: Readonly<Record<string, string>>
  readonly status: number
}

/** A request to the protected API as the simulator saw it. */
export interface ApiRequestReceived {
  readonly method: string
  readonly path: string
  readonly authScheme: string | undefined
  readonly status: number
}

export interface ZoomOAuthSimulatorHandle {
  /** The simulator's origin: the account's `base_url`. */
  readonly baseUrl: string
  /** Its `POST /oauth/token`, to configure as `settings.token_url`. */
  readonly tokenUrl: string
  /** The Server-to-Server OAuth app it knows, in the config's `credentials` form. */
  readonly credentials: {
    readonly account_id: string
    readonly client_id: string
    readonly client_secret: string
  }
  readonly tokenRequests: () => ReadonlyArray<TokenRequestReceived>
  readonly apiRequests: () => ReadonlyArray<ApiRequestReceived>
  /** Every access token handed out, for tests that check no token leaks. */
  readonly issuedTokens: () => ReadonlyArray<string>
  /** Every token issued so far stops being accepted (an admin deactivating the app, or Zoom revoking them). */
  readonly revokeTokens: () => void
  /** An access token obtained elsewhere (another OAuth app), accepted by the API; not counted as a token request. */
  readonly issueAccessToken: () => string
  /** Whether the API accepts `token` at `at` (issued here, not expired, not revoked): for Zoom's API simulators. */
  readonly accepts: (token: string | undefined, at: number) => boolean
}

const TOKEN_PATH = "/oauth/token"
const ME_PATH = "/v2/users/me"

// Zoom's token endpoint answers errors as `{reason, error}`; its API as `{code, message}`.
const invalidClient = { reason: "Invalid client_id or client_secret", error: "invalid_client" }
const unsupportedGrant = { reason: "unsupported grant type", error: "unsupported_grant_type" }
const missingAccountId = { reason: "Invalid request : Missing account_id", error: "invalid_request" }
const invalidAccessToken = { code: 124, message: "Invalid access token." }

/** What the request log keeps of a token request beyond the basics; the secret is only checked. */
interface TokenRequestNote {
  readonly contentType: string | undefined
  readonly clientId: string | undefined
  readonly clientSecretValid: boolean
  readonly form: Readonly<Record<string, string>>
}

/**
 * Zoom's Server-to-Server OAuth token endpoint (`POST /oauth/token`) over real HTTP on 127.0.0.1, plus one
 * protected resource (`GET /v2/users/me`) that accepts only the Bearer tokens it issued and has not expired
 * or revoked: enough to prove how the connector gets, reuses, refreshes and replaces tokens.
 */
export const startZoomOAuthSimulator = (
  options: ZoomOAuthSimulatorOptions = {},
): Effect.Effect<ZoomOAuthSimulatorHandle, never, Scope.Scope> =>
  Effect.gen(function* () {
    const now = yield* simulatorClock
    const lifetimeSeconds = options.tokenLifetimeSeconds ?? 3599
    const credentials = {
      account_id: newSecret(16),
      client_id: newSecret(16),
      client_secret: newSecret(24),
    }
    const user = {
      id: newSecret(16),
      first_name: "Ada",
      last_name: "Admin",
      email: "ada.admin@example.com",
      type: 2,
      role_name: "Owner",
      status: "active",
      account_id: credentials.account_id,
    }
    /** Token → when it stops being accepted; a revoked token is deleted. */
    const live = new Map<string, number>()
    const issued: Array<string> = []

    const mint = () => {
      const token = `eyJ${newSecret(96)}`
      live.set(token, now() + lifetimeSeconds * 1000)
      issued.push(token)
      return token
    }

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
        access_token: mint(),
        token_type: "bearer",
        expires_in: lifetimeSeconds,
        scope: "report:read:admin user:read:admin",
        api_url: request.origin,
      })
    }

    const api = ({ method, url, authorization, receivedAt }: SimulatorRequest): Reply<TokenRequestNote> => {
      if (url.pathname !== ME_PATH) return { status: 404, body: { code: 404, message: "Not Found" } }
      if (method !== "GET") return { status: 405, body: { code: 405, message: "Method Not Allowed" } }
      const token = credentialsUnder(authorization, "Bearer")
      const expiresAt = token === undefined ? undefined : live.get(token)
      if (expiresAt === undefined || expiresAt <= receivedAt) return { status: 401, body: invalidAccessToken }
      return { status: 200, body: user }
    }

    const server = yield* serveSimulator<TokenRequestNote>({
      port: options.port,
      contentType: "application/json;charset=UTF-8",
      handle: (request) => (request.url.pathname === TOKEN_PATH ? tokenEndpoint(request) : api(request)),
    })

    return {
      baseUrl: server.origin,
      tokenUrl: `${server.origin}${TOKEN_PATH}`,
      credentials,
      tokenRequests: () =>
        server
          .requests()
          .filter((request) => request.path === TOKEN_PATH)
          .map((request) => ({
            method: request.method,
            path: request.path,
            query: request.query,
            contentType: request.note?.contentType,
            authScheme: request.authScheme,
            clientId: request.note?.clientId,
            clientSecretValid: request.note?.clientSecretValid ?? false,
            form: request.note?.form ?? {},
            status: request.status,
          })),
      apiRequests: () =>
        server
          .requests()
          .filter((request) => request.path !== TOKEN_PATH)
          .map(({ method, path, authScheme, status }) => ({ method, path, authScheme, status })),
      issuedTokens: () => [...issued],
      revokeTokens: () => live.clear(),
      issueAccessToken: mint,
      accepts: (token, at) => {
        const expiresAt = token === undefined ? undefined : live.get(token)
        return expiresAt !== undefined && expiresAt > at
      },
    } satisfies ZoomOAuthSimulatorHandle
  })
