import { Effect, type Redacted } from "effect"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { ProviderError } from "../http/ProviderError.ts"

export interface RefreshTokenStoreShape {
  /** Whether rotated refresh tokens outlive the process (`credentials_store` is configured). */
  readonly persistent: boolean
  /**
   * The refresh token to send for the account: the one stored for it when it was rotated from `configured`
   * (the token in the config now), else `configured`.
   */
  readonly refreshTokenFor: (
    account: IntegratedAccount,
    configured: Redacted.Redacted<string>,
  ) => Effect.Effect<Redacted.Redacted<string>, ProviderError>
  /**
   * Keeps `rotated`, the provider's replacement of a refresh token descended from `configured`; succeeds once
   * the broker has acknowledged it (all in-sync replicas), so a crash after it cannot lose the token.
   */
  readonly save: (
    account: IntegratedAccount,
    configured: Redacted.Redacted<string>,
    rotated: Redacted.Redacted<string>,
  ) => Effect.Effect<void, ProviderError>
}

/** Nowhere to keep a rotated token: the configured one is sent after every start. */
const notPersistent: RefreshTokenStoreShape = {
  persistent: false,
  refreshTokenFor: (_, configured) => Effect.succeed(configured),
  save: () => Effect.void,
}

/**
 * Where refresh tokens that a provider rotates are kept, so that a restart sends the latest one rather than
 * the configured one the provider has already invalidated. `Default` keeps nothing (no `credentials_store`);
 * `kafkaRefreshTokenStore` keeps them encrypted on the connector's compacted credentials topic.
 */
export class RefreshTokenStore extends Effect.Service<RefreshTokenStore>()("RefreshTokenStore", {
  succeed: notPersistent,
}) {}
