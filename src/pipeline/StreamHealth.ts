import { Context, Effect, Layer, Ref } from "effect"

export type StreamState = "starting" | "streaming" | "caught_up" | "retrying" | "stopped"

/** What `/healthz` and the logs tell about one account's stream. */
export interface AccountStreamHealth {
  readonly integrated_account_id: string
  readonly integration: string
  readonly state: StreamState
  readonly last_page_at?: string
  /** The newest `created_at` published (the checkpoint's `last_created_at`): what the lag is measured from. */
  readonly last_created_at?: string
  /** The same per stream of the integration: each stream's lag. */
  readonly newest_by_stream?: Readonly<Record<string, string>>
  readonly last_error?: string
  readonly consecutive_failures: number
  readonly published_total: number
  readonly dead_lettered_total: number
  readonly gaps_total: number
}

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

/** Per-account stream state, shared by the pipeline (writer) and the health endpoint (reader). */
export class StreamHealth extends Context.Tag("StreamHealth")<
  StreamHealth,
  {
    readonly update: (
      accountId: string,
      change: (current: AccountStreamHealth | undefined) => AccountStreamHealth,
    ) => Effect.Effect<void>
    readonly snapshot: Effect.Effect<ReadonlyArray<AccountStreamHealth>>
  }
>() {
  static readonly layer = Layer.effect(
    StreamHealth,
    Effect.gen(function* () {
      const state = yield* Ref.make(new Map<string, AccountStreamHealth>())
      return {
        update: (accountId, change) =>
          Ref.update(state, (m) => new Map(m).set(accountId, change(m.get(accountId)))),
        snapshot: Ref.get(state).pipe(Effect.map((m) => [...m.values()])),
      }
    }),
  )
}
