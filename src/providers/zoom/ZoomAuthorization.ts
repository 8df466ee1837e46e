import { Effect, Either, Redacted, Schema } from "effect"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"
import { OAuthTokens, type TokenGrant } from "../../http/OAuthTokens.ts"
import { type ProviderError, ProviderUnauthorized } from "../../http/ProviderError.ts"
import { ZoomCredentials, type ZoomServerToServerOAuth } from "./credentials.ts"
import { ZOOM_TOKEN_URL, ZoomSettings } from "./settings.ts"

/**
 * The Server-to-Server OAuth grant: the app's client id and secret as Basic, `grant_type` and `account_id` in
 * the form body, as Zoom's docs show (the query-string form of older docs has been answered 400 lately).
 */
export const zoomTokenGrant = (
  credentials: typeof ZoomServerToServerOAuth.Type,
  tokenUrl: URL,
): TokenGrant => ({
  url: tokenUrl,
  headers: {
    authorization: `Basic ${Buffer.from(`${credentials.client_id}:${credentials.client_secret}`).toString("base64")}`,
    "content-type": "application/x-www-form-urlencoded",
  },
  body: new URLSearchParams({
    grant_type: "account_credentials",
    account_id: credentials.account_id,
  }).toString(),
})

interface ZoomAuthorization {
  /** The `Authorization` header value. */
  readonly header: string
  /** The token the connector fetched, when it did (server-to-server form): the one to invalidate if refused. */
  readonly fetched?: Redacted.Redacted<string>
}

const refused = (account: IntegratedAccount, why: string) =>
  new ProviderUnauthorized({
    integration: "zoom",
    status: 401,
    message: `zoom account ${account.id} ${why}; nothing was sent`,
  })

const authorize = (
  account: IntegratedAccount,
): Effect.Effect<ZoomAuthorization, ProviderError, OAuthTokens> =>
  Effect.gen(function* () {
    const credentials = Schema.decodeUnknownEither(ZoomCredentials)(account.credentials)
    if (Either.isLeft(credentials)) {
      return yield* refused(account, "has neither server-to-server OAuth credentials nor an access_token")
    }
    if (!("client_id" in credentials.right)) return { header: `Bearer ${credentials.right.access_token}` }
    const settings = Schema.decodeUnknownEither(ZoomSettings)(account.settings)
    if (Either.isLeft(settings)) return yield* refused(account, "has a settings.token_url that is not a URL")
    const tokenUrl = new URL(settings.right.token_url ?? ZOOM_TOKEN_URL)
    const token = yield* (yield* OAuthTokens).accessToken(
      account,
      zoomTokenGrant(credentials.right, tokenUrl),
    )
    return { header: `Bearer ${Redacted.value(token)}`, fetched: token }
  })

/**
 * The `Authorization` header value for the account's API calls: an `access_token` credential as is, else a
 * token the connector fetched with the server-to-server credentials (cached, refreshed before it expires).
 */
export const zoomAuthorization = (
  account: IntegratedAccount,
): Effect.Effect<string, ProviderError, OAuthTokens> =>
  authorize(account).pipe(Effect.map((authorization) => authorization.header))

/**
 * Runs an API call with the account's authorization. Zoom answers a token it no longer accepts (revoked,
 * expired early, app credentials rotated) with 401 `{"code":124}`: for a token the connector fetched, that
 * token is dropped and the call is made once more with a new one. A given `access_token` is not retried:
 * the connector cannot get another.
 */
export const withZoomAuthorization = <A, E, R>(
  account: IntegratedAccount,
  call: (authorization: string) => Effect.Effect<A, E, R>,
): Effect.Effect<A, E | ProviderError, R | OAuthTokens> =>
  Effect.gen(function* () {
    const first = yield* authorize(account)
    const result = yield* Effect.either(call(first.header))
    if (Either.isRight(result)) return result.right
    const error = result.left
    // A 403 is a missing scope or role: a new token would carry the same grants.
    const tokenRefused = error instanceof ProviderUnauthorized && error.status === 401
    if (first.fetched === undefined || !tokenRefused) return yield* Effect.fail(error)
    yield* (yield* OAuthTokens).invalidate(account, first.fetched)
    yield* Effect.logDebug("zoom refused the access token; retrying once with a new one").pipe(
      Effect.annotateLogs({ account: account.id }),
    )
    const fresh = yield* authorize(account)
    return yield* call(fresh.header)
  })
