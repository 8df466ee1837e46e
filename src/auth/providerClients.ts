import { Layer } from "effect"
import { ProviderHttp, type ProviderHttpOptions } from "../http/ProviderHttp.ts"
import { Authorization, type TokenGrants } from "./Authorization.ts"
import { RefreshTokenStore } from "./RefreshTokenStore.ts"

/**
 * What provider calls run on: the HTTP client, and the account authorization (one token cache per process)
 * on the same connection pool and rate-limit state. `grants`: the registry's adapters. `refreshTokens`: where
 * rotated refresh tokens are kept; in memory only unless given.
 */
export const providerClientsLayer = <E = never>(
  grants: TokenGrants,
  options: Partial<ProviderHttpOptions> = {},
  refreshTokens: Layer.Layer<RefreshTokenStore, E> = RefreshTokenStore.Default,
) =>
  Layer.provideMerge(
    Authorization.layerWithStore(grants).pipe(Layer.provide(refreshTokens)),
    ProviderHttp.layer(options),
  )
