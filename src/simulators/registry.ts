import type { Integration } from "../providers/registry.ts"
import { startAsanaSimulator } from "./asana/AsanaSimulator.ts"
import { startAtlassianSimulator } from "./atlassian/AtlassianSimulator.ts"
import { startBrowserStackSimulator } from "./browserstack/BrowserStackSimulator.ts"
import { startConfluenceSimulator } from "./confluence/ConfluenceSimulator.ts"
import { startDropboxSimulator } from "./dropbox/DropboxSimulator.ts"
import { startFigmaSimulator } from "./figma/FigmaSimulator.ts"
import { startGitHubSimulator } from "./github/GitHubSimulator.ts"
import { startHubSpotSimulator } from "./hubspot/HubSpotSimulator.ts"
import { startJiraSimulator } from "./jira/JiraSimulator.ts"
import { startOktaSimulator } from "./okta/OktaSimulator.ts"
import type { StartSimulator } from "./ProviderSimulator.ts"
import { startSalesforceSimulator } from "./salesforce/SalesforceSimulator.ts"
import { startZendeskSimulator } from "./zendesk/ZendeskSimulator.ts"
import { startZoomSimulator } from "./zoom/ZoomSimulator.ts"

/**
 * The integrations whose API has a simulator, for the embedded-default run and the tests. A new simulator is
 * one folder under src/simulators plus one line here.
 */
export const simulators: { readonly [I in Integration]?: StartSimulator } = {
  asana: startAsanaSimulator,
  atlassian: startAtlassianSimulator,
  browserstack: startBrowserStackSimulator,
  confluence: startConfluenceSimulator,
  dropbox: startDropboxSimulator,
  figma: startFigmaSimulator,
  github: startGitHubSimulator,
  hubspot: startHubSpotSimulator,
  jira: startJiraSimulator,
  okta: startOktaSimulator,
  salesforce: startSalesforceSimulator,
  zendesk: startZendeskSimulator,
  zoom: startZoomSimulator,
}
