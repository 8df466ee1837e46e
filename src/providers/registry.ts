import { Context } from "effect"
import { asana } from "./asana/index.ts"
import { atlassian } from "./atlassian/index.ts"
import { browserstack } from "./browserstack/index.ts"
import { confluence } from "./confluence/index.ts"
import { dropbox } from "./dropbox/index.ts"
import { figma } from "./figma/index.ts"
import { github } from "./github/index.ts"
import { hubspot } from "./hubspot/index.ts"
import { IntegrationRegistry } from "./IntegrationRegistry.ts"
import { jira } from "./jira/index.ts"
import { okta } from "./okta/index.ts"
import { salesforce } from "./salesforce/index.ts"
import { zendesk } from "./zendesk/index.ts"
import { zoom } from "./zoom/index.ts"

/**
 * Every integration the connector has. A new provider is one folder under src/providers plus one line here:
 * the config's `integration` values, the API's capability tables and OpenAPI text, and the example config
 * (`npm run example-config`) all follow from this list.
 */
export const registry = IntegrationRegistry.of({
  asana,
  atlassian,
  browserstack,
  confluence,
  dropbox,
  figma,
  github,
  hubspot,
  jira,
  okta,
  salesforce,
  zendesk,
  zoom,
})

/** An integration's config name: one of the registry's keys. */
export type Integration = (typeof registry.names)[number]
export const IntegrationNames = registry.names
export const providers = registry.adapters

/**
 * The registry the running connector consults: the one above unless a layer says otherwise (tests add a
 * throw-away provider this way, through the same lookups production uses).
 */
export class Integrations extends Context.Reference<Integrations>()("Integrations", {
  defaultValue: (): IntegrationRegistry => registry,
}) {}
