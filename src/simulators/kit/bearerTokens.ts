import { type Authorization, credentialsUnder } from "./authorization.ts"

/** Access tokens a simulator hands out: each accepted as Bearer for its lifetime, until revoked. */
export interface BearerTokens {
  /** A new token, accepted from now for the lifetime. */
  readonly mint: () => string
  /** Whether the header carries a Bearer token minted here, neither expired at `at` nor revoked. */
  readonly accepts: (authorization: Authorization, at: number) => boolean
  /** Every token minted so far, revoked or not, oldest first. */
  readonly issued: () => ReadonlyArray<string>
  /** Every token minted so far stops being accepted. */
  readonly revokeAll: () => void
}

export const bearerTokens = (options: {
  readonly now: () => number
  readonly lifetimeMs: number
  /** The provider's token format; a fresh secret each time. */
  readonly newToken: () => string
}): BearerTokens => {
  /** Token → when it stops being accepted; a revoked token is deleted. */
  const live = new Map<string, number>()
  const issued: Array<string> = []
  return {
    mint: () => {
      const token = options.newToken()
      live.set(token, options.now() + options.lifetimeMs)
      issued.push(token)
      return token
    },
    accepts: (authorization, at) => {
      const token = credentialsUnder(authorization, "Bearer")
      const expiresAt = token === undefined ? undefined : live.get(token)
      return expiresAt !== undefined && expiresAt > at
    },
    issued: () => [...issued],
    revokeAll: () => live.clear(),
  }
}
