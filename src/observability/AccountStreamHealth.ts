// The health record lives here, below the pipeline that writes it, so that metrics (observability) and the
// health endpoint can read it without importing from src/pipeline (observability sits under pipeline and
// http; an import upward closed a folder cycle).

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
