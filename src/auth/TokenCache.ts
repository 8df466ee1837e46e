import {
  Clock,
  Deferred,
  Effect,
  Either,
  Exit,
  Option,
  ParseResult,
  Redacted,
  Schema,
  type Scope,
  SynchronizedRef,
} from "effect"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import {
  ProviderBadResponse,
  type ProviderError,
  ProviderRejected,
  ProviderUnauthorized,
} from "../http/ProviderError.ts"
import { ProviderHttp } from "../http/ProviderHttp.ts"
import type { TokenGrant } from "./grants.ts"

/** The token endpoint's success answer (RFC 6749 §5.1), as far as the cache needs it. */
export const TokenResponse = Schema.Struct({
  access_token: Schema.NonEmptyString,
  /**
   * Seconds the token lives from now. Only RECOMMENDED by RFC 6749, and Salesforce leaves it out (its sessions
   * end by org policy): such a token is kept until the API refuses it.
   */
  expires_in: Schema.optional(Schema.Number.pipe(Schema.positive())),
  /**
   * RFC 6749 §6: the server MAY issue a new refresh token, and then MAY revoke the one sent (rotation, as
   * Salesforce's apps can be set to do). HubSpot sends the same one back.
   */
  refresh_token: Schema.optional(Schema.NonEmptyString),
})

/** An OAuth error answer: RFC 6749 §5.2's `error` + `error_description`, or Zoom's `error` + `reason`. */
const TokenErrorBody = Schema.Struct({
  error: Schema.String,
  error_description: Schema.optional(Schema.String),
  reason: Schema.optional(Schema.String),
})

/** Error codes that mean the credentials themselves were refused (RFC 6749 §5.2): fix the config, do not retry. */
const credentialRefusals: ReadonlySet<string> = new Set([
  "invalid_client",
  "invalid_grant",
  "unauthorized_client",
])

/** A token is replaced this long before it expires: 10 % of its lifetime, at most a minute. */
const refreshMarginMs = (lifetimeMs: number) => Math.min(60_000, lifetimeMs / 10)

/**
 * Secret values a grant carries: the Basic password and the secret form fields. A token endpoint's error text
 * is the provider's to write; any of these found in it is masked before it becomes part of an error message.
 */
const secretsOf = (grant: TokenGrant): ReadonlyArray<string> => {
  const secrets: Array<string> = []
  for (const [name, value] of Object.entries(grant.headers)) {
    if (name.toLowerCase() !== "authorization") continue
    secrets.push(value)
    const [scheme, encoded] = value.split(" ", 2)
    if (scheme?.toLowerCase() === "basic" && encoded) {
      const decoded = Buffer.from(encoded, "base64").toString("utf8")
      secrets.push(encoded, decoded.slice(decoded.indexOf(":") + 1))
    }
  }
  const form = new URLSearchParams(grant.body)
  for (const name of [
    "client_secret",
    "refresh_token",
    "assertion",
    "client_assertion",
    "password",
    "code",
  ]) {
    for (const value of form.getAll(name)) secrets.push(value)
  }
  return secrets.filter((secret) => secret !== "")
}

const masked = (text: string | undefined, secrets: ReadonlyArray<string>) =>
  text === undefined ? undefined : secrets.reduce((out, secret) => out.replaceAll(secret, "[redacted]"), text)

interface IssuedToken {
  readonly token: Redacted.Redacted<string>
  /** When a new one is fetched instead: the expiry less the safety margin. */
  readonly refreshAt: number
}

interface Slot {
  readonly current: Option.Option<IssuedToken>
  /** The fetch under way, shared by every caller that needs a token meanwhile. */
  readonly fetching: Option.Option<Deferred.Deferred<IssuedToken, ProviderError>>
}

/** Right: a cached token to use now. Left: the fetch to wait for. */
type Lookup = Either.Either<Redacted.Redacted<string>, Deferred.Deferred<IssuedToken, ProviderError>>

const emptySlot: Slot = { current: Option.none(), fetching: Option.none() }

/** A token endpoint's refusal, named for what it is: the credentials' (fix the config) or the request's. */
const endpointRefusals = (integration: string, where: string) => ({
  ProviderRejected: (error: ProviderRejected) =>
    Effect.fail(
      error.code !== undefined && credentialRefusals.has(error.code)
        ? new ProviderUnauthorized({
            integration,
            status: error.status,
            message: `${error.message} (${where})`,
          })
        : new ProviderRejected({
            integration,
            status: error.status,
            ...(error.code === undefined ? {} : { code: error.code }),
            message: `${error.message} (${where})`,
          }),
    ),
  ProviderUnauthorized: (error: ProviderUnauthorized) =>
    Effect.fail(
      new ProviderUnauthorized({
        integration,
        status: error.status,
        message: `${error.message} (${where})`,
      }),
    ),
})

/**
 * One token request: the grant built, sent to its own endpoint (pinned there), its refusals named as the
 * credentials' or the request's, its answer decoded without echoing a value.
 */
const fetchToken = (
  http: ProviderHttp["Type"],
  account: IntegratedAccount,
  makeGrant: Effect.Effect<TokenGrant, ProviderError>,
  onRefreshToken: OnRefreshToken,
) =>
  Effect.gen(function* () {
    const grant = yield* makeGrant
    const integration = account.integration
    const secrets = secretsOf(grant)
    const where = `token endpoint ${grant.url.host}${grant.url.pathname}`
    const requestedAt = yield* Clock.currentTimeMillis
    const response = yield* http
      .send({
        account,
        url: grant.url,
        origin: grant.url,
        method: "POST",
        headers: { accept: "application/json", ...grant.headers },
        body: grant.body,
        describeError: (body) =>
          Option.match(Schema.decodeUnknownOption(TokenErrorBody)(body), {
            onNone: () => ({}),
            onSome: (error) => {
              const code = masked(error.error, secrets)
              const message = masked(error.error_description ?? error.reason, secrets)
              return { ...(code ? { code } : {}), ...(message ? { message } : {}) }
            },
          }),
      })
      .pipe(Effect.catchTags(endpointRefusals(integration, where)))
    const decoded = Schema.decodeUnknownEither(TokenResponse, { errors: "all" })(response.body)
    if (Either.isLeft(decoded)) {
      // Only the keys at fault: the values may be a token.
      const keys = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)
        .map((issue) => issue.path.join("."))
        .filter((key) => key !== "")
      return yield* new ProviderBadResponse({
        integration,
        message: `${integration} ${where} answered without a usable token (${[...new Set(keys)].join(", ") || "not an object"})`,
      })
    }
    const refreshToken = decoded.right.refresh_token
    // Before the access token is handed out: a rotated refresh token is kept before anything uses it.
    // Uninterruptible: the provider may have invalidated the token sent already, so a shutdown arriving now
    // must not drop its replacement before the store has it.
    if (refreshToken !== undefined) yield* Effect.uninterruptible(onRefreshToken(Redacted.make(refreshToken)))
    const expiresIn = decoded.right.expires_in
    yield* Effect.logDebug("fetched an OAuth access token").pipe(
      Effect.annotateLogs({ account: account.id, expires_in: expiresIn ?? "not stated" }),
    )
    const lifetimeMs = expiresIn === undefined ? undefined : expiresIn * 1000
    return {
      token: Redacted.make(decoded.right.access_token),
      refreshAt:
        lifetimeMs === undefined
          ? Number.POSITIVE_INFINITY
          : requestedAt + lifetimeMs - refreshMarginMs(lifetimeMs),
    } satisfies IssuedToken
  })

/**
 * Sees the refresh token a token answer carries, before its access token is used: a failure fails the fetch
 * (the access token is not handed out).
 */
export type OnRefreshToken = (refreshToken: Redacted.Redacted<string>) => Effect.Effect<void, ProviderError>

const ignoreRefreshToken: OnRefreshToken = () => Effect.void

export interface TokenCache {
  /**
   * A usable access token for the account: the cached one while it is not near expiry, else a new one from
   * `grant` (built and fetched once, however many callers are waiting for it: a signed assertion is only made
   * when a token is actually fetched). Failures are ProviderErrors whose messages carry neither the grant's
   * secrets nor any token.
   */
  readonly accessToken: (
    account: IntegratedAccount,
    grant: Effect.Effect<TokenGrant, ProviderError>,
    onRefreshToken?: OnRefreshToken,
  ) => Effect.Effect<Redacted.Redacted<string>, ProviderError>
  /**
   * Forgets the account's cached token, after the API refused it (revoked, rotated). With `rejected`, only if
   * the cached one is the refused one: concurrent callers refused with the same token cause one new fetch,
   * not many.
   */
  readonly invalidate: (
    account: IntegratedAccount,
    rejected?: (token: Redacted.Redacted<string>) => boolean,
  ) => Effect.Effect<void>
}

/**
 * OAuth access tokens fetched and refreshed by the connector, one per account (keyed by account id), for
 * credentials that are exchanged for short-lived tokens. Tokens stay in memory, wrapped in `Redacted`, and
 * are never logged. Fetches run in the given scope's lifetime, not the caller's.
 */
export const makeTokenCache: Effect.Effect<TokenCache, never, ProviderHttp | Scope.Scope> = Effect.gen(
  function* () {
    const http = yield* ProviderHttp
    // A fetch belongs to the cache, not to the caller that happened to start it: one caller giving up
    // must not fail the others waiting for the same token.
    const scope = yield* Effect.scope
    const slots = yield* SynchronizedRef.make(new Map<string, Slot>())

    /** Records the fetch's outcome, then hands it to everyone waiting. */
    const settle = (
      accountId: string,
      deferred: Deferred.Deferred<IssuedToken, ProviderError>,
      exit: Exit.Exit<IssuedToken, ProviderError>,
    ) =>
      SynchronizedRef.update(slots, (map) => {
        const slot = map.get(accountId) ?? emptySlot
        return new Map(map).set(accountId, {
          current: Exit.isSuccess(exit) ? Option.some(exit.value) : slot.current,
          fetching: Option.none(),
        })
      }).pipe(Effect.zipRight(Deferred.done(deferred, exit)))

    const accessToken = (
      account: IntegratedAccount,
      grant: Effect.Effect<TokenGrant, ProviderError>,
      onRefreshToken: OnRefreshToken = ignoreRefreshToken,
    ) =>
      Effect.gen(function* () {
        const now = yield* Clock.currentTimeMillis
        const ready = yield* SynchronizedRef.modifyEffect(
          slots,
          (map): Effect.Effect<readonly [Lookup, Map<string, Slot>]> => {
            const slot = map.get(account.id) ?? emptySlot
            if (Option.isSome(slot.current) && now < slot.current.value.refreshAt) {
              return Effect.succeed([Either.right(slot.current.value.token), map] as const)
            }
            if (Option.isSome(slot.fetching)) {
              return Effect.succeed([Either.left(slot.fetching.value), map] as const)
            }
            return Effect.gen(function* () {
              const deferred = yield* Deferred.make<IssuedToken, ProviderError>()
              yield* fetchToken(http, account, grant, onRefreshToken).pipe(
                Effect.onExit((exit) => settle(account.id, deferred, exit)),
                Effect.forkIn(scope),
              )
              const next = new Map(map).set(account.id, { ...slot, fetching: Option.some(deferred) })
              return [Either.left(deferred), next] as const
            })
          },
        )
        if (Either.isRight(ready)) return ready.right
        return (yield* Deferred.await(ready.left)).token
      })

    const invalidate = (
      account: IntegratedAccount,
      rejected?: (token: Redacted.Redacted<string>) => boolean,
    ) =>
      SynchronizedRef.update(slots, (map) => {
        const slot = map.get(account.id)
        if (slot === undefined || Option.isNone(slot.current)) return map
        if (rejected !== undefined && !rejected(slot.current.value.token)) return map
        return new Map(map).set(account.id, { ...slot, current: Option.none() })
      })

    return { accessToken, invalidate } satisfies TokenCache
  },
)
