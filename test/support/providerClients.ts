import { providerClientsLayer } from "../../src/auth/providerClients.ts"
import type { ProviderHttpOptions } from "../../src/http/ProviderHttp.ts"
import { providers } from "../../src/providers/registry.ts"

/**
 * The production provider clients of every registered integration over real HTTP, with quick backoff so a
 * retried 5xx costs milliseconds; `overrides` for a test that needs fewer retries or shorter waits.
 */
export const testProviderClients = (overrides: Partial<ProviderHttpOptions> = {}) =>
  providerClientsLayer(providers, { retryBase: "10 millis", ...overrides })

/** The one layer every test that reads a simulator through an adapter provides. */
export const ProviderClientsTest = testProviderClients()
