import { Schema } from "effect"

/** The 13 integrations of the spec, by their lower-case config name. */
export const IntegrationNames = [
  "asana",
  "atlassian",
  "browserstack",
  "confluence",
  "dropbox",
  "figma",
  "github",
  "hubspot",
  "jira",
  "okta",
  "salesforce",
  "zendesk",
  "zoom",
] as const
export const Integration = Schema.Literal(...IntegrationNames).annotations({
  message: () => ({ message: `must be one of ${IntegrationNames.join(", ")}`, override: true }),
})
export type Integration = typeof Integration.Type
