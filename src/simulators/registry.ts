import type { Integration } from "../providers/registry.ts"
import { startOktaSimulator } from "./okta/OktaSimulator.ts"
import type { StartSimulator } from "./ProviderSimulator.ts"
import { startZoomSimulator } from "./zoom/ZoomSimulator.ts"

/**
 * The integrations whose API has a simulator, for the embedded-default run and the tests. A new simulator is
 * one folder under src/simulators plus one line here.
 */
export const simulators: { readonly [I in Integration]?: StartSimulator } = {
  okta: startOktaSimulator,
  zoom: startZoomSimulator,
}
