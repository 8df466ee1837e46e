import { Layer } from "effect"
import { ProviderHttp, type ProviderHttpOptions } from "../http/ProviderHttp.ts"
import { Authorization, type TokenGrants } from "./Authorization.ts"

/**
 * What provider calls run on: the HTTP client, and the account authorization (one token cache per process)
 * on the same connection pool and rate-limit state. `grants`: the registry's adapters.
 */
export const providerClientsLayer = (grants: TokenGrants, options: Partial<ProviderHttpOptions> = {}) =>
  Layer.provideMerge(Authorization.layer(grants), ProviderHttp.layer(options))
