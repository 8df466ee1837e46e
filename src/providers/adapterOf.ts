import { Effect } from "effect"
import type { IntegratedAccount } from "../domain/IntegratedAccount.ts"
import type { ProviderAdapter } from "./ProviderAdapter.ts"
import { Integrations } from "./registry.ts"

/**
 * The account's adapter from the registry in use. Accounts are checked against the registry when the config
 * is loaded, so a miss is a wiring defect (a config loaded with one registry, run with another).
 */
export const adapterOf = (account: IntegratedAccount): Effect.Effect<ProviderAdapter> =>
  Effect.flatMap(Integrations, (integrations) => {
    const adapter = integrations.lookup(account.integration)
    return adapter === undefined
      ? Effect.dieMessage(
          `integration ${account.integration} of account ${account.id} is not in the registry in use`,
        )
      : Effect.succeed(adapter)
  })
