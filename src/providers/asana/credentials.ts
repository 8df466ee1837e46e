import { Schema } from "effect"

export const AsanaBearerToken = Schema.Struct({
  access_token: Schema.NonEmptyString,
}).annotations({
  identifier: "AsanaBearerToken",
  description:
    "Bearer token (`Authorization: Bearer`): a Service Account's personal access token, which the Audit Log API requires, or an OAuth 2.0 access token.",
})

/** The credential form the provider accepts. */
export const AsanaCredentials = Schema.Union(AsanaBearerToken)
export type AsanaCredentials = typeof AsanaCredentials.Type
