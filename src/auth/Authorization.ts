import { Effect, Either, type Layer, Redacted, SynchronizedRef } from "effect"
import { type Credentials, type GrantCredentials, isGrant, type OAuthRefresh } from "../domain/Credentials.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import { type ProviderError, ProviderNotImplemented, ProviderUnauthorized } from "../http/ProviderError.ts"
import type { ProviderHttp } from "../http/ProviderHttp.ts"
import { basicAuthorization, type TokenGrantFor } from "./grants.ts"
import { RefreshTokenStore } from "./RefreshTokenStore.ts"
import { makeTokenCache, type OnRefreshToken } from "./TokenCache.ts"

export interface AuthorizationService {
  /**
   * The `Authorization` header value for the account's API calls: static forms as they are; grant forms as
   * `Bearer` with a token fetched by the connector, cached per account, replaced before it expires, one fetch
   * shared by concurrent callers. Failures carry no secret and no token.
   */
  readonly headerFor: (account: IntegratedAccount) => Effect.Effect<Redacted.Redacted<string>, ProviderError>
  /**
   * Forgets the account's fetched token after the API refused it. With `rejected` (the header that was
   * refused), only if that is still the current one, so callers refused together cause one new fetch.
   */
  readonly invalidate: (
    account: IntegratedAccount,
    rejected?: Redacted.Redacted<string>,
  ) => Effect.Effect<void>
  /**
   * Runs an API call with the account's authorization. A 401 for a token the connector fetched (revoked,
   * expired early, client credentials rotated) drops that token and makes the call once more with a new
   * one. A static credential is not retried: the connector cannot get another, so its 401 is the answer.
   * A 403 is not retried either: it is a missing scope or role, which a new token would carry again.
   */
  readonly withAuthorization: <A, E, R>(
    account: IntegratedAccount,
    call: (authorization: Redacted.Redacted<string>) => Effect.Effect<A, E, R>,
  ) => Effect.Effect<A, E | ProviderError, R>
}

/** What the service needs from each integration: how its grant credentials become a token request. */
export type TokenGrants = Readonly<Record<string, { readonly tokenGrant?: TokenGrantFor | undefined }>>

const staticHeader = (credentials: Exclude<Credentials, GrantCredentials>): string => {
  switch (credentials._tag) {
    case "Bearer":
      return `Bearer ${Redacted.value(credentials.token)}`
    case "Ssws":
      return `SSWS ${Redacted.value(credentials.token)}`
    case "Basic":
      return basicAuthorization(credentials.username, credentials.password)
  }
}

const bearer = (token: Redacted.Redacted<string>) => `Bearer ${Redacted.value(token)}`

/**
 * Authorization for every provider call: one place that turns an account's decoded credentials into its
 * `Authorization` header, so adapters never see a secret's form (only the header, and only to send it).
 */
export class Authorization extends Effect.Service<Authorization>()("Authorization", {
  /** `grants`: the registry's adapters, or any map of the integrations' declared token grants. */
  scoped: (grants: TokenGrants) =>
    Effect.gen(function* () {
      const tokens = yield* makeTokenCache
      const store = yield* RefreshTokenStore
      /**
       * The refresh token each OAuthRefresh account sends now, once known: the store's (or the configured one)
       * at the first fetch, then whatever the provider rotated it to. Read inside the grant, so a fetch sends
       * the latest.
       */
      const refreshTokens = yield* SynchronizedRef.make(new Map<string, Redacted.Redacted<string>>())
      const warnedUnstored = new Set<string>()

      const currentRefreshToken = (account: IntegratedAccount, configured: Redacted.Redacted<string>) =>
        SynchronizedRef.modifyEffect(refreshTokens, (map) => {
          const known = map.get(account.id)
          return known !== undefined
            ? Effect.succeed([known, map] as const)
            : Effect.map(
                store.refreshTokenFor(account, configured),
                (token) => [token, new Map(map).set(account.id, token)] as const,
              )
        })

      /** The provider's answer carried a refresh token: a new one replaces the one sent, kept first. */
      const onRefreshToken =
        (account: IntegratedAccount, credentials: typeof OAuthRefresh.Type): OnRefreshToken =>
        (answered) =>
          Effect.gen(function* () {
            const sent = (yield* SynchronizedRef.get(refreshTokens)).get(account.id)
            if (sent !== undefined && Redacted.value(sent) === Redacted.value(answered)) return
            // Memory first: the provider has invalidated the one sent, so even if the write fails this
            // process must send the new one (and try the write again with whatever it rotates to next).
            yield* SynchronizedRef.update(refreshTokens, (map) => new Map(map).set(account.id, answered))
            if (store.persistent) return yield* store.save(account, credentials.refreshToken, answered)
            if (warnedUnstored.has(account.id)) return
            warnedUnstored.add(account.id)
            yield* Effect.logWarning(
              "the provider rotated the account's refresh token and no credentials_store is configured: after a restart the configured token is sent, which the provider may refuse",
            ).pipe(Effect.annotateLogs({ account: account.id }))
          })

      const headerFor = (account: IntegratedAccount) =>
        Effect.gen(function* () {
          const credentials = account.credentials
          if (!isGrant(credentials)) return Redacted.make(staticHeader(credentials))
          const tokenGrant = grants[account.integration]?.tokenGrant
          if (tokenGrant === undefined) {
            return yield* new ProviderNotImplemented({
              integration: account.integration,
              message: `${account.integration} declares no token endpoint for ${credentials._tag} credentials; nothing was sent`,
            })
          }
          if (credentials._tag !== "OAuthRefresh") {
            return Redacted.make(bearer(yield* tokens.accessToken(account, tokenGrant(account, credentials))))
          }
          const grant = Effect.flatMap(
            currentRefreshToken(account, credentials.refreshToken),
            (refreshToken) => tokenGrant(account, { ...credentials, refreshToken }),
          )
          const token = yield* tokens.accessToken(account, grant, onRefreshToken(account, credentials))
          return Redacted.make(bearer(token))
        })

      const invalidate = (account: IntegratedAccount, rejected?: Redacted.Redacted<string>) =>
        tokens.invalidate(
          account,
          rejected === undefined ? undefined : (token) => bearer(token) === Redacted.value(rejected),
        )

      const withAuthorization = <A, E, R>(
        account: IntegratedAccount,
        call: (authorization: Redacted.Redacted<string>) => Effect.Effect<A, E, R>,
      ): Effect.Effect<A, E | ProviderError, R> =>
        Effect.gen(function* () {
          const first = yield* headerFor(account)
          const result = yield* Effect.either(call(first))
          if (Either.isRight(result)) return result.right
          const error = result.left
          const tokenRefused = error instanceof ProviderUnauthorized && error.status === 401
          if (!tokenRefused || !isGrant(account.credentials)) return yield* Effect.fail(error)
          yield* invalidate(account, first)
          yield* Effect.logDebug("the provider refused the access token; retrying once with a new one").pipe(
            Effect.annotateLogs({ account: account.id }),
          )
          return yield* call(yield* headerFor(account))
        })

      return { headerFor, invalidate, withAuthorization } satisfies AuthorizationService
    }),
  dependencies: [RefreshTokenStore.Default],
}) {
  /** Rotated refresh tokens kept in memory only (no `credentials_store`). */
  static readonly layer: (grants: TokenGrants) => Layer.Layer<Authorization, never, ProviderHttp> =
    Authorization.Default
  /** Rotated refresh tokens kept by the `RefreshTokenStore` given. */
  static readonly layerWithStore: (
    grants: TokenGrants,
  ) => Layer.Layer<Authorization, never, ProviderHttp | RefreshTokenStore> =
    Authorization.DefaultWithoutDependencies
}

/** {@link AuthorizationService.withAuthorization} through the service in context. */
export const withAuthorization = <A, E, R>(
  account: IntegratedAccount,
  call: (authorization: Redacted.Redacted<string>) => Effect.Effect<A, E, R>,
): Effect.Effect<A, E | ProviderError, R | Authorization> =>
  Effect.flatMap(Authorization, (authorization) => authorization.withAuthorization(account, call))
