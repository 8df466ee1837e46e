import { Context, Layer } from "effect"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { AccountConfig, ConnectorConfig } from "./ConnectorConfig.ts"

// A leaf on purpose: what reads the configuration imports this tag, not the loader, which pulls in the
// production registry and with it all thirteen adapters.

export interface LoadedConfig {
  readonly file: string
  readonly config: ConnectorConfig
  /** The accounts, resolved for the providers, in config order. */
  readonly accounts: ReadonlyArray<{ readonly account: IntegratedAccount; readonly config: AccountConfig }>
}

/** The loaded, validated configuration. */
export class Config extends Context.Tag("Config")<Config, LoadedConfig>() {
  static readonly layer = (loaded: LoadedConfig) => Layer.succeed(Config, loaded)
}
