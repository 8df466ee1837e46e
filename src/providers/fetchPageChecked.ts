import { Effect } from "effect"
import type { ProviderError } from "../http/ProviderError.ts"
import type { Page, PageRequest, ProviderAdapter, ProviderServices } from "./ProviderAdapter.ts"
import { requireProgress } from "./requireProgress.ts"

/**
 * The one way to fetch a provider page: the adapter's `fetchPage`, and a page that does not move the position
 * on is refused (see `requireProgress`). Every page loop (stream, backfill, endpoint) goes through here, so
 * each adapter gets the check without writing it.
 */
export const fetchPageChecked = <Raw, Position>(
  adapter: ProviderAdapter<Raw, Position>,
  request: PageRequest<Position>,
): Effect.Effect<Page<Position>, ProviderError, ProviderServices> =>
  adapter
    .fetchPage(request)
    .pipe(Effect.flatMap((page) => requireProgress(adapter.integration, request.position, page)))
