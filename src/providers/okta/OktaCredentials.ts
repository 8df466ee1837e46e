import { Schema } from "effect"

/** An API token (`SSWS`) or an OAuth 2.0 access token with scope `okta.logs.read` (`Bearer`). */
export const OktaCredentials = Schema.Union(
  Schema.Struct({ api_token: Schema.NonEmptyString }),
  Schema.Struct({ access_token: Schema.NonEmptyString }),
).annotations({ identifier: "OktaCredentials" })
export type OktaCredentials = typeof OktaCredentials.Type

/** The Authorization header value for the account's credentials. */
export const authorizationFor = (credentials: OktaCredentials): string =>
  "api_token" in credentials ? `SSWS ${credentials.api_token}` : `Bearer ${credentials.access_token}`
