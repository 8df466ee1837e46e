import { Context, Layer, SubscriptionRef } from "effect"
import type { LoadedConfig } from "./Config.ts"

export type ConfiguredAccount = LoadedConfig["accounts"][number]

/**
 * The accounts of the config as last loaded: at start, then after each reload `run` accepts (config/ConfigReload.ts).
 * Only the accounts change without a restart, so everything else is read from `Config`, the config at start.
 * The pipeline follows the changes (an account added, removed, disabled or changed starts or stops on the
 * instance holding its shard); the endpoint looks an account up here on each request.
 */
export class CurrentAccounts extends Context.Tag("CurrentAccounts")<
  CurrentAccounts,
  SubscriptionRef.SubscriptionRef<ReadonlyArray<ConfiguredAccount>>
>() {
  static readonly layer = (accounts: LoadedConfig["accounts"]) =>
    Layer.effect(CurrentAccounts, SubscriptionRef.make(accounts))
}
