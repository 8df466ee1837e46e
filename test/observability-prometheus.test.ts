import { describe, expect, it } from "vitest"
import { prometheusExposition } from "../src/observability/prometheus.ts"
import { initialHealth } from "../src/pipeline/StreamHealth.ts"

describe("prometheusExposition", () => {
  it("exposes every account's counters, failures, state and last page time with its labels", () => {
    const text = prometheusExposition([
      {
        ...initialHealth({ id: "a1", integration: "okta" }),
        state: "caught_up",
        published_total: 317,
        dead_lettered_total: 2,
        gaps_total: 1,
        last_page_at: "2026-11-25T20:00:00.000Z",
      },
      {
        ...initialHealth({ id: 'we"ird\\id', integration: "okta" }),
        state: "retrying",
        consecutive_failures: 4,
      },
    ])
    const lines = text.trimEnd().split("\n")
    expect(lines).toContain(
      'siem_connector_activities_published_total{integration="okta",integrated_account_id="a1"} 317',
    )
    expect(lines).toContain(
      'siem_connector_records_dead_lettered_total{integration="okta",integrated_account_id="a1"} 2',
    )
    expect(lines).toContain(
      'siem_connector_history_gaps_total{integration="okta",integrated_account_id="a1"} 1',
    )
    expect(lines).toContain(
      'siem_connector_stream_state{integration="okta",integrated_account_id="a1",state="caught_up"} 1',
    )
    expect(lines).toContain(
      'siem_connector_stream_state{integration="okta",integrated_account_id="a1",state="retrying"} 0',
    )
    expect(lines).toContain(
      `siem_connector_last_page_timestamp_seconds{integration="okta",integrated_account_id="a1"} ${Date.parse("2026-11-25T20:00:00.000Z") / 1000}`,
    )
    // Label values are escaped as the format requires.
    expect(lines).toContain(
      'siem_connector_consecutive_failures{integration="okta",integrated_account_id="we\\"ird\\\\id"} 4',
    )
    // An account that never handled a page has no last-page sample rather than a made-up one.
    expect(lines.filter((l) => l.startsWith("siem_connector_last_page_timestamp_seconds{"))).toHaveLength(1)
    // Each family is declared once, before its samples.
    expect(lines.filter((l) => l.startsWith("# TYPE "))).toHaveLength(6)
    expect(text.endsWith("\n")).toBe(true)
  })
})
