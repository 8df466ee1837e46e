import { Duration } from "effect"
import type { ProviderAdapter } from "../ProviderAdapter.ts"
import { GitHubCredentials } from "./credentials.ts"
import { auditLog } from "./streams/auditLog.ts"

/** GitHub organization audit log (`GET /orgs/{org}/audit-log`); the organization is the required `organization_id`. */
export const github = {
  integration: "github",
  // The spec: organization_id supported and required; no other filter; every action value accepted.
  capabilities: {
    filters: ["organization_id"],
    requiredFilters: ["organization_id"],
  },
  defaultBaseUrl: "https://api.github.com",
  credentials: GitHubCredentials,
  historyRetention: Duration.days(180),
  // A caught-up poll is one query of GitHub's 1,750 an hour (per token and address): polls at least 5 s apart
  // spend at most 720 of them, leaving the rest for pages of new events, the endpoint and other readers.
  minPollInterval: Duration.seconds(5),
  streams: [auditLog],
} as const satisfies ProviderAdapter
