import type { Integration } from "../domain/Integration.ts"
import { asana } from "./asana/index.ts"
import { atlassian } from "./atlassian/index.ts"
import { browserstack } from "./browserstack/index.ts"
import { confluence } from "./confluence/index.ts"
import { dropbox } from "./dropbox/index.ts"
import { figma } from "./figma/index.ts"
import { github } from "./github/index.ts"
import { hubspot } from "./hubspot/index.ts"
import { jira } from "./jira/index.ts"
import { okta } from "./okta/index.ts"
import type { AnyProviderAdapter } from "./ProviderAdapter.ts"
import { salesforce } from "./salesforce/index.ts"
import { zendesk } from "./zendesk/index.ts"
import { zoom } from "./zoom/index.ts"

/** Every integration's adapter. A new provider is one folder plus one line here. */
export const providers: { readonly [I in Integration]: AnyProviderAdapter } = {
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
}

export const adapterFor = (integration: Integration): AnyProviderAdapter => providers[integration]
