import { Effect, Either, type Layer, Redacted } from "effect"
import { type Credentials, type GrantCredentials, isGrant } from "../domain/Credentials.ts"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import { type ProviderError, ProviderNotImplemented, ProviderUnauthorized } from "../http/ProviderError.ts"
import type { ProviderHttp } from "../http/ProviderHttp.ts"
import { basicAuthorization, type TokenGrantFor } from "./grants.ts"
import { makeTokenCache } from "./TokenCache.ts"

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
          const token = yield* tokens.accessToken(account, tokenGrant(account, credentials))
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
}) {
  static readonly layer: (grants: TokenGrants) => Layer.Layer<Authorization, never, ProviderHttp> =
    Authorization.Default
}

/** {@link AuthorizationService.withAuthorization} through the service in context. */
export const withAuthorization = <A, E, R>(
  account: IntegratedAccount,
  call: (authorization: Redacted.Redacted<string>) => Effect.Effect<A, E, R>,
): Effect.Effect<A, E | ProviderError, R | Authorization> =>
  Effect.flatMap(Authorization, (authorization) => authorization.withAuthorization(account, call))
