import { randomBytes } from "node:crypto"
import type { IncomingMessage, ServerResponse } from "node:http"
import { Effect, type Scope } from "effect"
import { serveOnLoopback } from "../kit/loopbackServer.ts"

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
}

const TOKEN_PATH = "/oauth/token"
const ME_PATH = "/v2/users/me"

// Zoom's token endpoint answers errors as `{reason, error}`; its API as `{code, message}`.
const invalidClient = { reason: "Invalid client_id or client_secret", error: "invalid_client" }
const unsupportedGrant = { reason: "unsupported grant type", error: "unsupported_grant_type" }
const missingAccountId = { reason: "Invalid request : Missing account_id", error: "invalid_request" }
const invalidAccessToken = { code: 124, message: "Invalid access token." }

const json = (res: ServerResponse, status: number, body: unknown) => {
  res.statusCode = status
  res.setHeader("Content-Type", "application/json;charset=UTF-8")
  res.end(JSON.stringify(body))
}

const readBody = (req: IncomingMessage) =>
  new Promise<string>((resolve, reject) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")))
    req.on("error", reject)
  })

/**
 * Zoom's Server-to-Server OAuth token endpoint (`POST /oauth/token`) over real HTTP on 127.0.0.1, plus one
 * protected resource (`GET /v2/users/me`) that accepts only the Bearer tokens it issued and has not expired
 * or revoked: enough to prove how the connector gets, reuses, refreshes and replaces tokens.
 */
export const startZoomOAuthSimulator = (
  options: ZoomOAuthSimulatorOptions = {},
): Effect.Effect<ZoomOAuthSimulatorHandle, never, Scope.Scope> =>
  Effect.gen(function* () {
    const lifetimeSeconds = options.tokenLifetimeSeconds ?? 3599
    const credentials = {
      account_id: randomBytes(16).toString("base64url").slice(0, 22),
      client_id: randomBytes(16).toString("base64url").slice(0, 22),
      client_secret: randomBytes(24).toString("base64url").slice(0, 32),
    }
    const user = {
      id: randomBytes(16).toString("base64url").slice(0, 22),
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
    const tokenRequests: Array<TokenRequestReceived> = []
    const apiRequests: Array<ApiRequestReceived> = []

    const mint = () => {
      const token = `eyJ${randomBytes(96).toString("base64url")}`
      live.set(token, Date.now() + lifetimeSeconds * 1000)
      issued.push(token)
      return token
    }

    const tokenEndpoint = async (req: IncomingMessage, res: ServerResponse, url: URL, origin: string) => {
      const contentType = req.headers["content-type"]
      const text = await readBody(req)
      // Zoom reads the grant from the form body only; parameters in the query string are not looked at.
      const form = /^application\/x-www-form-urlencoded\b/i.test(contentType ?? "")
        ? new URLSearchParams(text)
        : new URLSearchParams()
      const [scheme, encoded] = (req.headers.authorization ?? "").split(" ", 2)
      const basic =
        scheme?.toLowerCase() === "basic" ? Buffer.from(encoded ?? "", "base64").toString("utf8") : ""
      const colon = basic.indexOf(":")
      const clientId = colon < 0 ? undefined : basic.slice(0, colon)
      const clientSecretValid = colon >= 0 && basic.slice(colon + 1) === credentials.client_secret

      const answer = (): [number, unknown] => {
        if (req.method !== "POST") return [405, { reason: "Method Not Allowed", error: "invalid_request" }]
        if (clientId !== credentials.client_id || !clientSecretValid) {
          return [options.invalidClientStatus ?? 401, invalidClient]
        }
        if (form.get("grant_type") !== "account_credentials") return [400, unsupportedGrant]
        const accountId = form.get("account_id")
        if (!accountId) return [400, missingAccountId]
        // The app belongs to one account (wording of this answer not confirmed against Zoom).
        if (accountId !== credentials.account_id) {
          return [400, { reason: "Invalid request : Invalid account_id", error: "invalid_request" }]
        }
        return [
          200,
          {
            access_token: mint(),
            token_type: "bearer",
            expires_in: lifetimeSeconds,
            scope: "report:read:admin user:read:admin",
            api_url: origin,
          },
        ]
      }

      const [status, body] = answer()
      tokenRequests.push({
        method: req.method ?? "GET",
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        contentType,
        authScheme: scheme === "" ? undefined : scheme,
        clientId,
        clientSecretValid,
        form: Object.fromEntries(
          [...form].map(([key, value]) => [key, key === "client_secret" ? "[not kept]" : value]),
        ),
        status,
      })
      json(res, status, body)
    }

    const api = (req: IncomingMessage, res: ServerResponse, url: URL) => {
      const [scheme, token] = (req.headers.authorization ?? "").split(" ", 2)
      const answer = (): [number, unknown] => {
        if (url.pathname !== ME_PATH) return [404, { code: 404, message: "Not Found" }]
        if (req.method !== "GET") return [405, { code: 405, message: "Method Not Allowed" }]
        const expiresAt = scheme === "Bearer" && token ? live.get(token) : undefined
        if (expiresAt === undefined || expiresAt <= Date.now()) return [401, invalidAccessToken]
        return [200, user]
      }
      const [status, body] = answer()
      apiRequests.push({
        method: req.method ?? "GET",
        path: url.pathname,
        authScheme: scheme === "" ? undefined : scheme,
        status,
      })
      json(res, status, body)
    }

    const origin = yield* serveOnLoopback(
      options.port,
      (req: IncomingMessage, res: ServerResponse, ownOrigin) => {
        const url = new URL(req.url ?? "/", ownOrigin)
        if (url.pathname === TOKEN_PATH) {
          tokenEndpoint(req, res, url, ownOrigin).catch(() =>
            json(res, 500, { reason: "Internal Error", error: "server_error" }),
          )
        } else {
          api(req, res, url)
        }
      },
    )

    return {
      baseUrl: origin,
      tokenUrl: `${origin}${TOKEN_PATH}`,
      credentials,
      tokenRequests: () => [...tokenRequests],
      apiRequests: () => [...apiRequests],
      issuedTokens: () => [...issued],
      revokeTokens: () => live.clear(),
      issueAccessToken: mint,
    } satisfies ZoomOAuthSimulatorHandle
  })
