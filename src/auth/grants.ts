import { Effect, Redacted, Schema } from "effect"
import type {
  ClientCredentials,
  GrantCredentials,
  JwtBearer,
  OAuthRefresh,
  PrivateKeyJwt,
} from "../domain/Credentials.ts"
import { HttpUrl } from "../domain/HttpUrl.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import { type ProviderError, ProviderNotImplemented } from "../http/ProviderError.ts"
import { signAssertion } from "./jwt.ts"

/**
 * What a provider's token endpoint is sent for an access token: client credentials, a refresh token, an
 * assertion… The token cache does not care which.
 */
export interface TokenGrant {
  /**
   * The token endpoint: the provider's documented one, one derived from the account's configured `base_url`
   * or settings, never a URL from a provider's answer. The request is pinned to this URL's origin.
   */
  readonly url: URL
  /** Client authentication (e.g. `Basic`) and the content type; never logged, never put in an error. */
  readonly headers: Readonly<Record<string, string>>
  /** The form-encoded grant: `grant_type=…&…`. */
  readonly body: string
}

/**
 * How an integration turns an account's grant credentials into a token request: the provider declares its
 * facts (token URL, client authentication, scope) by choosing among the grants below.
 */
export type TokenGrantFor = (
  account: IntegratedAccount,
  credentials: GrantCredentials,
) => Effect.Effect<TokenGrant, ProviderError>

/**
 * RFC 6749 §2.3.1: the client id and secret as HTTP Basic (which every server must accept) or as form fields
 * (which some providers document instead).
 */
export type ClientAuthentication = "basic" | "body"

export interface TokenEndpoint {
  readonly url: URL
  readonly clientAuthentication: ClientAuthentication
}

export const basicAuthorization = (username: string, password: Redacted.Redacted<string>) =>
  `Basic ${Buffer.from(`${username}:${Redacted.value(password)}`).toString("base64")}`

/** A form-encoded token request, the client authenticated as the endpoint wants. */
export const tokenRequest = (
  endpoint: TokenEndpoint,
  client: { readonly id: string; readonly secret: Redacted.Redacted<string> },
  form: Readonly<Record<string, string>>,
): TokenGrant => ({
  url: endpoint.url,
  headers: {
    "content-type": "application/x-www-form-urlencoded",
    ...(endpoint.clientAuthentication === "basic"
      ? { authorization: basicAuthorization(client.id, client.secret) }
      : {}),
  },
  body: new URLSearchParams({
    ...form,
    ...(endpoint.clientAuthentication === "body"
      ? { client_id: client.id, client_secret: Redacted.value(client.secret) }
      : {}),
  }).toString(),
})

/** RFC 6749 §6. */
export const refreshTokenGrant = (
  credentials: typeof OAuthRefresh.Type,
  endpoint: TokenEndpoint,
): Effect.Effect<TokenGrant> =>
  Effect.succeed(
    tokenRequest(
      endpoint,
      { id: credentials.clientId, secret: credentials.clientSecret },
      { grant_type: "refresh_token", refresh_token: Redacted.value(credentials.refreshToken) },
    ),
  )

/** RFC 6749 §4.4. */
export const clientCredentialsGrant = (
  credentials: typeof ClientCredentials.Type,
  endpoint: TokenEndpoint,
): Effect.Effect<TokenGrant> =>
  Effect.succeed(
    tokenRequest(
      endpoint,
      { id: credentials.clientId, secret: credentials.clientSecret },
      { grant_type: "client_credentials" },
    ),
  )

/** Assertions live minutes, not the hour RFC 7523 allows: Salesforce refuses an `exp` beyond 3 minutes. */
const assertionLifetime = "3 minutes"

/**
 * RFC 7523 §2.1, as Salesforce's JWT bearer flow: the app (`iss`) asks for a token acting as `sub`, for the
 * audience the provider names (Salesforce: its login URL). No client secret.
 */
export const jwtBearerGrant = (
  credentials: typeof JwtBearer.Type,
  endpoint: { readonly url: URL; readonly audience: string },
): Effect.Effect<TokenGrant> =>
  signAssertion(
    { iss: credentials.clientId, sub: credentials.username, aud: endpoint.audience },
    Redacted.value(credentials.privateKey),
    { lifetime: assertionLifetime },
  ).pipe(
    Effect.map((assertion) => ({
      url: endpoint.url,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer",
        assertion,
      }).toString(),
    })),
  )

/**
 * RFC 6749 §4.4 with `private_key_jwt` client authentication (RFC 7523 §2.2, OpenID Connect Core §9), as
 * Okta's OAuth service apps: `iss` = `sub` = the client id, `aud` = the token endpoint's URL.
 */
export const privateKeyJwtGrant = (
  credentials: typeof PrivateKeyJwt.Type,
  endpoint: { readonly url: URL; readonly scope: string },
): Effect.Effect<TokenGrant> =>
  signAssertion(
    { iss: credentials.clientId, sub: credentials.clientId, aud: endpoint.url.href },
    Redacted.value(credentials.privateKey),
    { lifetime: assertionLifetime, keyId: credentials.keyId },
  ).pipe(
    Effect.map((assertion) => ({
      url: endpoint.url,
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        scope: endpoint.scope,
        client_assertion_type: "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
        client_assertion: assertion,
      }).toString(),
    })),
  )

type GrantOf<T extends GrantCredentials["_tag"]> = (
  account: IntegratedAccount,
  credentials: Extract<GrantCredentials, { readonly _tag: T }>,
) => Effect.Effect<TokenGrant, ProviderError>

/**
 * A provider's token grant, one entry per grant form its credentials schema produces: a form it does not
 * list is one its accounts cannot hold, refused without a request should one turn up.
 */
export const tokenGrants =
  (grants: { readonly [T in GrantCredentials["_tag"]]?: GrantOf<T> }): TokenGrantFor =>
  (account, credentials) => {
    const grant = grants[credentials._tag] as GrantOf<typeof credentials._tag> | undefined
    return grant === undefined
      ? Effect.fail(
          new ProviderNotImplemented({
            integration: account.integration,
            message: `${account.integration} has no token grant for ${credentials._tag} credentials; nothing was sent`,
          }),
        )
      : grant(account, credentials)
  }

/** The settings of a provider whose one setting is its token endpoint. */
export const TokenUrlSettings = (identifier: string, documented: string) =>
  Schema.Struct({ token_url: Schema.optional(HttpUrl) }).annotations({
    identifier,
    description: `\`token_url\`: the OAuth token endpoint, default ${documented}; the token request (and only it) may go to that origin.`,
  })

/** The token URL an account's `settings.token_url` names (validated at config load), else the documented one. */
export const configuredTokenUrl = (account: IntegratedAccount, documented: string) =>
  new URL(account.settings.token_url ?? documented)
