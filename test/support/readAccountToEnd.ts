import { Effect, Either, Schema } from "effect"
import type { Activity } from "../../src/domain/Activity.ts"
import type { ActivityFilters } from "../../src/domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import type { ProviderAdapter } from "../../src/providers/ProviderAdapter.ts"
import { type AccountPage, pageAccount, type StreamPositions } from "../../src/providers/pageAccount.ts"
import type { ProviderSimulator } from "../../src/simulators/ProviderSimulator.ts"

/** An account of `adapter` on `sim`, as the config loader would make it. */
export const accountOn = (
  adapter: ProviderAdapter,
  sim: Pick<ProviderSimulator, "baseUrl" | "credentials" | "settings">,
  overrides: { credentials?: Record<string, string>; settings?: Record<string, string> } = {},
): IntegratedAccount => ({
  id: `${adapter.integration}-test-${sim.baseUrl}`,
  integration: adapter.integration as IntegratedAccount["integration"],
  baseUrl: new URL(sim.baseUrl),
  credentials: Schema.decodeUnknownSync(adapter.credentials)(overrides.credentials ?? sim.credentials),
  settings: overrides.settings ?? sim.settings,
})

export const activitiesOf = (page: Pick<AccountPage, "records">): Activity[] =>
  page.records.flatMap(({ mapped }) => (Either.isRight(mapped) ? [mapped.right] : []))

export const rejectedOf = (page: Pick<AccountPage, "records">) =>
  page.records.filter(({ mapped }) => Either.isLeft(mapped))

/** Pages the account through the shared page loop until caught up; every page is returned. */
export const readAccountToEnd = (
  adapter: ProviderAdapter,
  account: IntegratedAccount,
  filters: ActivityFilters,
  limit: number,
  from: StreamPositions = {},
) =>
  Effect.gen(function* () {
    const pages: AccountPage[] = []
    let positions = from
    for (let i = 0; i < 500; i++) {
      const page = yield* pageAccount(adapter, { account, filters, positions, limit })
      pages.push(page)
      positions = page.positions
      if (!page.hasMore) break
    }
    return { pages, activities: pages.flatMap(activitiesOf), positions }
  })
