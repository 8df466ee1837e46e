import { Layer } from "effect"
import { OAuthTokens } from "./OAuthTokens.ts"
import { ProviderHttp, type ProviderHttpOptions } from "./ProviderHttp.ts"

/** What provider calls run on: the HTTP client, and the OAuth token cache on top of it. */
export const providerClientsLayer = (options: Partial<ProviderHttpOptions> = {}) =>
  OAuthTokens.layer.pipe(Layer.provideMerge(ProviderHttp.layer(options)))
