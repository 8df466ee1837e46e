import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { Redacted, Schema } from "effect"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import type { RecordMapping } from "../../../src/providers/mapRecord.ts"
import { SalesforceQueryResult } from "../../../src/providers/salesforce/SalesforceQueryResult.ts"
import { loginHistory } from "../../../src/providers/salesforce/streams/loginHistory.ts"
import { setupAuditTrail } from "../../../src/providers/salesforce/streams/setupAuditTrail.ts"

/** A query answer from test/fixtures/salesforce, decoded as a page. */
export const queryFixture = (path: string): SalesforceQueryResult =>
  Schema.decodeUnknownSync(SalesforceQueryResult)(
    JSON.parse(readFileSync(resolve(import.meta.dirname, "../../fixtures/salesforce", path), "utf8")),
  )

export const salesforceAccount: IntegratedAccount = {
  id: "salesforce-fixture-account",
  integration: "salesforce",
  baseUrl: new URL("https://acme.my.salesforce.com"),
  // Mapping never reads credentials; a Bearer value keeps the account well-typed.
  credentials: { _tag: "Bearer", token: Redacted.make("unused-by-mapping") },
  settings: {},
}

/** The adapter's streams: their record schemas and mappings. */
export const loginHistoryStream: RecordMapping = loginHistory
export const setupAuditTrailStream: RecordMapping = setupAuditTrail
