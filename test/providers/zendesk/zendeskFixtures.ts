import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { Redacted, Schema } from "effect"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import type { AnyProviderAdapter } from "../../../src/providers/ProviderAdapter.ts"
import { zendesk } from "../../../src/providers/zendesk/index.ts"
import { auditLogToActivity } from "../../../src/providers/zendesk/toActivity.ts"
import { ZendeskAuditLog, ZendeskAuditLogsPage } from "../../../src/providers/zendesk/ZendeskAuditLog.ts"

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

/** The stream as the contract will hold it: the pending adapter with its record schema and mapping. */
export const auditLogsStream: AnyProviderAdapter = {
  ...zendesk,
  record: ZendeskAuditLog,
  toActivity: auditLogToActivity,
}
