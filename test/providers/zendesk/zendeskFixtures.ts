import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { Redacted, Schema } from "effect"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import { auditLogs } from "../../../src/providers/zendesk/streams/auditLogs.ts"
import { ZendeskAuditLogsPage } from "../../../src/providers/zendesk/ZendeskAuditLog.ts"

/** A list page from test/fixtures/zendesk, decoded as a page. */
export const pageFixture = (path: string): ZendeskAuditLogsPage =>
  Schema.decodeUnknownSync(ZendeskAuditLogsPage)(
    JSON.parse(readFileSync(resolve(import.meta.dirname, "../../fixtures/zendesk", path), "utf8")),
  )

export const zendeskAccount: IntegratedAccount = {
  id: "zendesk-fixture-account",
  integration: "zendesk",
  baseUrl: new URL("https://acme.zendesk.com"),
  // Mapping never reads credentials; a Bearer value keeps the account well-typed.
  credentials: { _tag: "Bearer", token: Redacted.make("unused-by-mapping") },
  settings: {},
}

/** The adapter's audit_logs stream: its record schema and mapping. */
export const auditLogsStream = auditLogs
