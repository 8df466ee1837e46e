import type { Effect, Scope } from "effect"
import type { IntegrationName } from "../domain/Integration.ts"

/** A running provider simulator: a real HTTP server on loopback speaking the provider's protocol. */
export interface ProviderSimulator {
  readonly integration: IntegrationName
  /** Base URL to configure as the account's `base_url`. */
  readonly baseUrl: string
  /** Credentials the simulator accepts, in the config's `credentials` form. */
  readonly credentials: Readonly<Record<string, string>>
  /** Settings an account against this simulator needs (e.g. `organization_id`). */
  readonly settings: Readonly<Record<string, string>>
  /** Appends `count` new realistic events (a share of them failed logins), timestamped now. */
  readonly emit: (count: number) => void
  /** Every event the simulator holds, in its raw provider form. */
  readonly events: () => ReadonlyArray<unknown>
}

export interface SimulatorOptions {
  /** Events already in the provider's history at start, spread over the preceding hours. */
  readonly historySize?: number
  readonly seed?: number
  readonly port?: number
}

/** Starts a simulator for the life of the scope. */
export type StartSimulator = (
  options: SimulatorOptions,
) => Effect.Effect<ProviderSimulator, never, Scope.Scope>
