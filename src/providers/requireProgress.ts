import { Either } from "effect"
import { ProviderBadResponse } from "../http/ProviderError.ts"

/** A page as far as progress goes: what it holds and where it says to continue. */
export interface Page<Position> {
  readonly records: ReadonlyArray<unknown>
  readonly next: Position
  readonly hasMore: boolean
}

/**
 * A page with records (or one that says more are waiting) must move the position on: one that hands back the
 * position it was asked with would be fetched, and its records published, again on every poll. An empty,
 * caught-up page that stays where it was asked is a provider saying "nothing new yet", and passes. Without a
 * requested position (the start) there is nothing to compare. Positions are compared as the JSON they are
 * checkpointed as.
 */
export const requireProgress = <Position>(
  integration: string,
  requested: Position | undefined,
  page: Page<Position>,
): Either.Either<Page<Position>, ProviderBadResponse> => {
  if (requested === undefined) return Either.right(page)
  if (page.records.length === 0 && !page.hasMore) return Either.right(page)
  if (JSON.stringify(page.next) !== JSON.stringify(requested)) return Either.right(page)
  // The position stays out of the message: it can hold filter values and provider tokens, and errors are returned.
  return Either.left(
    new ProviderBadResponse({
      integration,
      message: `${integration} answered ${page.records.length} records${page.hasMore ? " and more to come" : ""} without moving past the position it was asked for; refusing a page that would be read again on every poll`,
    }),
  )
}
