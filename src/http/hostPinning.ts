import { Effect } from "effect"
import { ForeignHostRefused } from "./ProviderError.ts"
import type { ProviderRequest } from "./ProviderRequest.ts"

/**
 * Refuses, before anything is sent, a request to any origin but the account's configured one, or the one a
 * configured endpoint pins it to. Nothing a provider answers (a next link, an `api_url`) can widen this: the
 * origin compared against comes from the configuration alone.
 */
export const requirePinnedOrigin = (req: ProviderRequest): Effect.Effect<void, ForeignHostRefused> => {
  const pinned = req.origin ?? req.account.baseUrl
  if (req.url.origin === pinned.origin) return Effect.void
  return Effect.fail(
    new ForeignHostRefused({
      integration: req.account.integration,
      host: req.url.host,
      message:
        req.origin === undefined
          ? `refused to call ${req.url.host}: account ${req.account.id} is configured for ${pinned.host}`
          : `refused to call ${req.url.host}: this request of account ${req.account.id} is pinned to ${pinned.host}`,
    }),
  )
}
