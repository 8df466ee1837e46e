import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { Redacted, Schema } from "effect"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import { HubSpotPage } from "../../../src/providers/hubspot/HubSpotActivity.ts"

/** A list page from test/fixtures/hubspot, decoded as a page. */
export const pageFixture = (path: string): HubSpotPage =>
  Schema.decodeUnknownSync(HubSpotPage)(
    JSON.parse(readFileSync(resolve(import.meta.dirname, "../../fixtures/hubspot", path), "utf8")),
  )

export const hubspotAccount: IntegratedAccount = {
  id: "hubspot-fixture-account",
  integration: "hubspot",
  baseUrl: new URL("https://api.hubapi.com"),
  // Mapping never reads credentials; a Bearer value keeps the account well-typed.
  credentials: { _tag: "Bearer", token: Redacted.make("unused-by-mapping") },
  settings: {},
}
