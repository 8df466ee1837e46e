import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { Redacted, Schema } from "effect"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import type { AnyProviderAdapter } from "../../../src/providers/ProviderAdapter.ts"
import { salesforce } from "../../../src/providers/salesforce/index.ts"
import { SalesforceLoginHistory } from "../../../src/providers/salesforce/SalesforceLoginHistory.ts"
import { SalesforceQueryResult } from "../../../src/providers/salesforce/SalesforceQueryResult.ts"
import { SalesforceSetupAuditTrail } from "../../../src/providers/salesforce/SalesforceSetupAuditTrail.ts"
import {
  loginHistoryToActivity,
  setupAuditTrailToActivity,
} from "../../../src/providers/salesforce/toActivity.ts"

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

/** Each stream as the contract will hold it: the pending adapter with its record schema and mapping. */
export const loginHistoryStream: AnyProviderAdapter = {
  ...salesforce,
  record: SalesforceLoginHistory,
  toActivity: loginHistoryToActivity,
}
export const setupAuditTrailStream: AnyProviderAdapter = {
  ...salesforce,
  record: SalesforceSetupAuditTrail,
  toActivity: setupAuditTrailToActivity,
}
