import type { UnifiedAction } from "../../src/domain/Activity.ts"
import type { FilterName } from "../../src/domain/ActivityFilters.ts"
import type { Integration } from "../../src/providers/registry.ts"

/*
 * The list-activities spec's matrices (filter support, output fields), transcribed by hand in the spec's own
 * shape. Nothing here is read from the adapters, so an adapter
 * declaration or a server decision that differs from the spec fails the tests that use it.
 */

/** Per filter, the integrations listed under "Supported in" (and, for organization_id, "Required in"). */
export const specFilterSupport: { readonly [F in FilterName]: ReadonlyArray<Integration> } = {
  organization_id: ["asana", "github"],
  created_at: [
    "asana",
    "atlassian",
    "confluence",
    "dropbox",
    "figma",
    "hubspot",
    "jira",
    "okta",
    "salesforce",
    "zendesk",
    "zoom",
  ],
  actor_id: ["asana", "dropbox", "hubspot", "okta", "salesforce", "zendesk"],
  action: ["asana", "atlassian", "dropbox", "figma", "hubspot", "okta", "zendesk", "zoom"],
  entity: ["zendesk"],
  entity_type: ["zendesk"],
  ip_address: ["zendesk"],
}

/** "Required in". */
export const specFilterRequired: { readonly [F in FilterName]?: ReadonlyArray<Integration> } = {
  organization_id: ["asana", "github"],
}

/** "Enum support by integration" for `action`; an integration not listed accepts every value. */
export const specActionsAccepted: { readonly [I in Integration]?: ReadonlyArray<UnifiedAction> } = {
  zoom: ["login"],
  hubspot: ["login"],
  dropbox: ["login", "login_failed", "logout"],
  figma: ["login", "logout", "user_created", "user_deleted"],
}
