import { providerClientsLayer } from "../../src/auth/providerClients.ts"
import { providers } from "../../src/providers/registry.ts"

/**
 * The production provider clients over real HTTP, with quick backoff so a retried 5xx costs milliseconds; one
 * layer for every test that reads a simulator through an adapter.
 */
export const ProviderClientsTest = providerClientsLayer(providers, { retryBase: "10 millis" })
