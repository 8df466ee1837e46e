import { Schema } from "effect"

export const GitHubToken = Schema.Struct({
  access_token: Schema.NonEmptyString,
}).annotations({
  identifier: "GitHubToken",
  description:
    "Token sent as `Authorization: Bearer`: a personal access token with `read:audit_log` of an organization owner, or a GitHub App installation token with organization Administration (read) permission.",
})

/** The credential form the provider accepts. */
export const GitHubCredentials = Schema.Union(GitHubToken)
export type GitHubCredentials = typeof GitHubCredentials.Type
