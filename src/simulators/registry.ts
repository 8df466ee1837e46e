import type { Integration } from "../providers/registry.ts"
import { startAtlassianSimulator } from "./atlassian/AtlassianSimulator.ts"
import { startGitHubSimulator } from "./github/GitHubSimulator.ts"
import { startOktaSimulator } from "./okta/OktaSimulator.ts"
import type { StartSimulator } from "./ProviderSimulator.ts"
import { startZoomSimulator } from "./zoom/ZoomSimulator.ts"

/**
 * The integrations whose API has a simulator, for the embedded-default run and the tests. A new simulator is
 * one folder under src/simulators plus one line here.
 */
export const simulators: { readonly [I in Integration]?: StartSimulator } = {
  atlassian: startAtlassianSimulator,
  github: startGitHubSimulator,
  okta: startOktaSimulator,
  zoom: startZoomSimulator,
}
