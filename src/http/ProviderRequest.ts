import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"

export interface ProviderRequest {
  readonly account: IntegratedAccount
  /** Absolute URL; must be on `origin` (by default the account's configured origin). */
  readonly url: URL
  /**
   * The origin this request is pinned to; default: the account's `base_url` origin. Only for endpoints the
   * configuration names outright, such as an OAuth token URL (the provider's constant or the account's
   * `settings.token_url`): never derived from a provider's answer (next links, `api_url`, stored positions),
   * so those stay refused anywhere but the account's own origin.
   */
  readonly origin?: URL
  readonly method?: "GET" | "POST"
  /** Includes the Authorization header; never logged, never put in an error. */
  readonly headers: Readonly<Record<string, string>>
  readonly body?: string
  /** Pulls the provider's error code and message out of an error body, for the error we return. */
  readonly describeError?: (body: unknown) => { code?: string; message?: string }
}

export type ResponseHeaders = Readonly<Record<string, string | ReadonlyArray<string> | undefined>>

export interface ProviderResponse {
  readonly status: number
  readonly headers: ResponseHeaders
  readonly body: unknown
}

/**
 * Per account (not per host): the provider's quota belongs to the account's credentials. A request pinned
 * elsewhere (a token endpoint) is another service with its own quota, so it is kept apart.
 */
export const quotaKey = (req: ProviderRequest) =>
  req.origin === undefined ? req.account.id : `${req.account.id} ${req.origin.origin}`

export const headerText = (value: string | ReadonlyArray<string> | undefined) =>
  Array.isArray(value) ? value.join(", ") : ((value as string | undefined) ?? "")
