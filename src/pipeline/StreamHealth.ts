import { Clock, Effect, Ref } from "effect"

import type { AccountStreamHealth } from "../observability/AccountStreamHealth.ts"

export type { AccountStreamHealth, StreamState } from "../observability/AccountStreamHealth.ts"

export const initialHealth = (account: {
  readonly id: string
  readonly integration: string
}): AccountStreamHealth => ({
  integrated_account_id: account.id,
  integration: account.integration,
  state: "starting",
  consecutive_failures: 0,
  published_total: 0,
  dead_lettered_total: 0,
  gaps_total: 0,
})

/** What this instance holds, as its shard group assigned it. */
export interface HeldShards {
  /** `joining` until the first assignment; `rebalancing` between a rebalance and the next assignment. */
  readonly group: "joining" | "rebalancing" | "member"
  readonly shards: ReadonlyArray<number>
  /** The enabled accounts of those shards. */
  readonly accounts: number
}

/** What this instance holds, and since when (epoch ms) it has held just that: group state and shards unchanged. */
export interface HeldSince extends HeldShards {
  readonly since: number
}

/**
 * Per-account stream state of the accounts this instance streams, and the shards it holds: shared by the
 * pipeline (writer) and the health endpoint (reader).
 */
export class StreamHealth extends Effect.Service<StreamHealth>()("StreamHealth", {
  effect: Effect.gen(function* () {
    // Changed in place, not copied per change: each of a thousand accounts updates its entry on every page, and
    // a copy of the whole map per update was O(accounts) of garbage each time (about 60 KB at 1,000 accounts,
    // tens of MB a second while they caught up). An update is one synchronous step, so no reader sees a half
    // change; readers get copies (`snapshot`).
    const state = new Map<string, AccountStreamHealth>()
    const held = yield* Ref.make<HeldSince>({
      group: "joining",
      shards: [],
      accounts: 0,
      since: yield* Clock.currentTimeMillis,
    })
    return {
      update: (
        accountId: string,
        change: (current: AccountStreamHealth | undefined) => AccountStreamHealth,
      ): Effect.Effect<void> =>
        Effect.sync(() => {
          state.set(accountId, change(state.get(accountId)))
        }),
      /** Accounts no longer streamed here (their shard moved): they leave the snapshot. */
      remove: (accountIds: ReadonlyArray<string>): Effect.Effect<void> =>
        Effect.sync(() => {
          for (const id of accountIds) state.delete(id)
        }),
      snapshot: Effect.sync((): ReadonlyArray<AccountStreamHealth> => [...state.values()]),
      /** What the group assigned; a change of group state, shards or their accounts starts a new `since`. */
      setHeld: (next: HeldShards): Effect.Effect<void> =>
        Effect.flatMap(Clock.currentTimeMillis, (now) =>
          Ref.update(held, (before) => ({
            ...next,
            since:
              before.group === next.group &&
              before.shards.join() === next.shards.join() &&
              before.accounts === next.accounts
                ? before.since
                : now,
          })),
        ),
      held: Ref.get(held),
    } as const
  }),
}) {
  static readonly layer = StreamHealth.Default
}
