import type { AccountStreamHealth, StreamState } from "../pipeline/StreamHealth.ts"

const states: ReadonlyArray<StreamState> = ["starting", "streaming", "caught_up", "retrying", "stopped"]

const escapeLabel = (value: string) => value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")

const labels = (account: AccountStreamHealth, extra: Record<string, string> = {}) =>
  Object.entries({
    integration: account.integration,
    integrated_account_id: account.integrated_account_id,
    ...extra,
  })
    .map(([k, v]) => `${k}="${escapeLabel(v)}"`)
    .join(",")

interface Family {
  readonly name: string
  readonly type: "counter" | "gauge"
  readonly help: string
  readonly samples: (account: AccountStreamHealth) => ReadonlyArray<[Record<string, string>, number]>
}

const families: ReadonlyArray<Family> = [
  {
    name: "siem_connector_activities_published_total",
    type: "counter",
    help: "Activities published to Kafka since the account's stream first started.",
    samples: (a) => [[{}, a.published_total]],
  },
  {
    name: "siem_connector_records_dead_lettered_total",
    type: "counter",
    help: "Provider records sent to the dead-letter topic.",
    samples: (a) => [[{}, a.dead_lettered_total]],
  },
  {
    name: "siem_connector_history_gaps_total",
    type: "counter",
    help: "Times the provider no longer kept the history a checkpoint pointed at.",
    samples: (a) => [[{}, a.gaps_total]],
  },
  {
    name: "siem_connector_consecutive_failures",
    type: "gauge",
    help: "Failures of the account's stream since its last good page.",
    samples: (a) => [[{}, a.consecutive_failures]],
  },
  {
    name: "siem_connector_stream_state",
    type: "gauge",
    help: "1 for the account stream's current state.",
    samples: (a) => states.map((state) => [{ state }, a.state === state ? 1 : 0]),
  },
  {
    name: "siem_connector_last_page_timestamp_seconds",
    type: "gauge",
    help: "When the account's last provider page was handled.",
    samples: (a) => (a.last_page_at ? [[{}, Date.parse(a.last_page_at) / 1000]] : []),
  },
]

/** The streams' state in Prometheus text exposition format (version 0.0.4). */
export const prometheusExposition = (accounts: ReadonlyArray<AccountStreamHealth>): string =>
  families
    .map((family) =>
      [
        `# HELP ${family.name} ${family.help}`,
        `# TYPE ${family.name} ${family.type}`,
        ...accounts.flatMap((account) =>
          family
            .samples(account)
            .map(([extra, value]) => `${family.name}{${labels(account, extra)}} ${value}`),
        ),
      ].join("\n"),
    )
    .join("\n")
    .concat("\n")
