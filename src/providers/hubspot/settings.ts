import { Schema } from "effect"
import { HttpUrl } from "../../domain/HttpUrl.ts"
import type { IntegratedAccount } from "../../domain/IntegratedAccount.ts"

/** Where refresh tokens are exchanged, unless the account's `settings.token_url` says otherwise. */
export const HUBSPOT_TOKEN_URL = "https://api.hubapi.com/oauth/v1/token"

export const HubSpotSettings = Schema.Struct({
  token_url: Schema.optional(HttpUrl),
  /** `true` (YAML `true`, kept as text by the config) reads the audit log too; Enterprise accounts only. */
  audit_logs: Schema.optional(Schema.Literal("true", "false")),
}).annotations({
  identifier: "HubSpotSettings",
  description: `\`token_url\`: the OAuth token endpoint, default ${HUBSPOT_TOKEN_URL}; the token request (and only it) may go to that origin. \`audit_logs\`: \`true\` to stream the audit log as well (HubSpot Enterprise accounts only; others answer 403), default \`false\`.`,
})

/** The audit log is opt-in: only an Enterprise portal has it, and any other answers every request with 403. */
export const auditLogsEnabled = (settings: IntegratedAccount["settings"]): boolean =>
  settings.audit_logs === "true"
