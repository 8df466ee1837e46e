import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { Redacted, Schema } from "effect"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import { GitHubAuditLogEvent, GitHubAuditLogPage } from "../../../src/providers/github/GitHubAuditLogEvent.ts"

/** The raw events of an audit-log fixture page, as GitHub sent them, and decoded. */
export const auditLogFixture = (name: string) => {
  const text = readFileSync(resolve(import.meta.dirname, "../../fixtures/github/audit_log", name), "utf8")
  return Schema.decodeUnknownSync(GitHubAuditLogPage)(JSON.parse(text)).map((raw) => ({
    raw,
    event: Schema.decodeUnknownSync(GitHubAuditLogEvent)(raw),
  }))
}

export const githubAccount: IntegratedAccount = {
  id: "github-fixture-account",
  integration: "github",
  baseUrl: new URL("https://api.github.com"),
  // Mapping never reads credentials; a Bearer value keeps the account well-typed.
  credentials: { _tag: "Bearer", token: Redacted.make("unused-by-mapping") },
  settings: { organization_id: "octo-corp" },
}
