import { Effect, type Scope } from "effect"
import { newSecret } from "../kit/authorization.ts"
import type { Reply } from "../kit/Reply.ts"
import { type RequestReceived, requestLog } from "../kit/requestLog.ts"
import { type SimulatorRequest, serveSimulator } from "../kit/serveSimulator.ts"
import { simulatorClock } from "../kit/simulatorClock.ts"
import {
  invalidAccessToken,
  TOKEN_PATH,
  type TokenRequestNote,
  type ZoomTokenIssuer,
  type ZoomTokenIssuerOptions,
  zoomTokenIssuer,
} from "./zoomTokenIssuer.ts"

export interface ZoomOAuthSimulatorOptions extends ZoomTokenIssuerOptions {
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

export interface ZoomOAuthSimulatorHandle {
  /** The simulator's origin: the account's `base_url`. */
  readonly baseUrl: string
  /** Its `POST /oauth/token`, to configure as `settings.token_url`. */
  readonly tokenUrl: string
  /** The Server-to-Server OAuth app it knows, in the config's `credentials` form. */
  readonly credentials: ZoomTokenIssuer["credentials"]
  readonly tokenRequests: () => ReadonlyArray<TokenRequestReceived>
  /** The requests to the protected API. */
  readonly apiRequests: () => ReadonlyArray<RequestReceived>
  /** Every access token handed out, for tests that check no token leaks. */
  readonly issuedTokens: () => ReadonlyArray<string>
  /** Every token issued so far stops being accepted (an admin deactivating the app, or Zoom revoking them). */
  readonly revokeTokens: () => void
  /** An access token obtained elsewhere (another OAuth app), accepted by the API; not counted as a token request. */
  readonly issueAccessToken: () => string
}

const ME_PATH = "/v2/users/me"

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
    const issuer = zoomTokenIssuer(now, options)
    const user = {
      id: newSecret(16),
      first_name: "Ada",
      last_name: "Admin",
      email: "ada.admin@example.com",
      type: 2,
      role_name: "Owner",
      status: "active",
      account_id: issuer.credentials.account_id,
    }

    const api = ({ method, url, authorization, receivedAt }: SimulatorRequest): Reply<TokenRequestNote> => {
      if (url.pathname !== ME_PATH) return { status: 404, body: { code: 404, message: "Not Found" } }
      if (method !== "GET") return { status: 405, body: { code: 405, message: "Method Not Allowed" } }
      if (!issuer.accepts(authorization, receivedAt)) return { status: 401, body: invalidAccessToken }
      return { status: 200, body: user }
    }

    const server = yield* serveSimulator<TokenRequestNote>({
      port: options.port,
      contentType: "application/json;charset=UTF-8",
      handle: (request) =>
        request.url.pathname === TOKEN_PATH ? issuer.tokenEndpoint(request) : api(request),
    })

    return {
      baseUrl: server.origin,
      tokenUrl: `${server.origin}${TOKEN_PATH}`,
      credentials: issuer.credentials,
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
      apiRequests: requestLog(server, (request) => (request.path === TOKEN_PATH ? undefined : {})),
      issuedTokens: issuer.issued,
      revokeTokens: issuer.revokeAll,
      issueAccessToken: issuer.mint,
    } satisfies ZoomOAuthSimulatorHandle
  })
