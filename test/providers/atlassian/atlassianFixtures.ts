import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { Redacted, Schema } from "effect"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import { AtlassianEvent, AtlassianEventsPage } from "../../../src/providers/atlassian/AtlassianEvent.ts"

export const pageFixture = (path: string) =>
  Schema.decodeUnknownSync(AtlassianEventsPage)(
    JSON.parse(readFileSync(resolve(import.meta.dirname, "../../fixtures/atlassian", path), "utf8")),
  )

/** The raw events of a fixture page, as Atlassian sent them, and decoded. */
export const eventsFixture = (path: string) =>
  (pageFixture(path).data ?? []).map((raw) => ({ raw, event: Schema.decodeUnknownSync(AtlassianEvent)(raw) }))

export const atlassianAccount: IntegratedAccount = {
  id: "atlassian-fixture-account",
  integration: "atlassian",
  baseUrl: new URL("https://api.atlassian.com"),
  // Mapping never reads credentials; a Bearer value keeps the account well-typed.
  credentials: { _tag: "Bearer", token: Redacted.make("unused-by-mapping") },
  settings: { organization_id: "ffff-ffff-fff" },
}
