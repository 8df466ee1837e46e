import type { Credentials } from "./Credentials.ts"
import type { IntegrationName } from "./Integration.ts"

/**
 * An integrated account as the providers see it: the config entry resolved (base URL parsed and defaulted,
 * `${ENV}` references expanded). Credentials live only here and in the outgoing Authorization header.
 */
export interface IntegratedAccount {
  readonly id: string
  readonly integration: IntegrationName
  /** The provider API root for this account; every request of this account goes to this origin only. */
  readonly baseUrl: URL
  /** Decoded once, at config load, from the config keys of one of the provider's credential forms. */
  readonly credentials: Credentials
  /** Integration settings from the config entry, such as `organization_id` or `token_url`. */
  readonly settings: Readonly<Record<string, string>>
}
