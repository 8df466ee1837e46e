import { spawnSync } from "node:child_process"
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Metric } from "effect"
import { parse } from "yaml"
import {
  countProviderRequest,
  forAccount,
  heapPagesReturnedPause,
  makePrometheus,
  makeStreamMetrics,
  providerRequestDuration,
  publishDuration,
  rateLimitWait,
  readSlotWait,
  timed,
} from "../../src/observability/metrics.ts"
import { metricNamesIn } from "./promql.ts"

// siem/monitoring: the alert rules and the dashboard may only query metrics the connector defines. The names
// come from src/observability/metrics.ts's source, turned into what the OpenTelemetry Prometheus exporter
// writes (counters `_total`, histograms `_bucket`/`_sum`/`_count`); a rendered /metrics confirms that turn.

const root = join(import.meta.dirname, "../..")
const monitoring = join(root, "siem/monitoring")
const metricsSource = readFileSync(join(root, "src/observability/metrics.ts"), "utf8")

/** `Metric.counter("name"` / `Metric.gauge(` / `Metric.histogram(` in the source, by kind. */
const defined = [
  ...metricsSource.matchAll(/Metric\.(counter|gauge|histogram)\(\s*"([a-z_:][a-z0-9_:]*)"/g),
].map(([, kind, name]) => ({ kind: kind as "counter" | "gauge" | "histogram", name: name as string }))
const exposed = new Set(
  defined.flatMap(({ kind, name }) =>
    kind === "counter"
      ? [`${name}_total`]
      : kind === "histogram"
        ? [`${name}_bucket`, `${name}_sum`, `${name}_count`]
        : [name],
  ),
)
/** Written by Prometheus itself for every target, not by the connector. */
const PROMETHEUS_SYNTHETIC = new Set(["up"])

interface AlertRule {
  readonly alert: string
  readonly expr: string
  readonly for?: string
  readonly labels?: Record<string, string>
  readonly annotations?: Record<string, string>
}
const rulesFile = parse(readFileSync(join(monitoring, "prometheus-alerts.yml"), "utf8")) as {
  groups: ReadonlyArray<{ name: string; rules: ReadonlyArray<AlertRule> }>
}
const alerts = rulesFile.groups.flatMap((g) => g.rules)

interface Panel {
  readonly title: string
  readonly targets?: ReadonlyArray<{ readonly expr: string }>
}
const dashboard = JSON.parse(readFileSync(join(monitoring, "grafana-dashboard.json"), "utf8")) as {
  panels: ReadonlyArray<Panel>
  templating: { list: ReadonlyArray<{ name: string; type: string; query?: unknown }> }
}

describe("metric names", () => {
  it("metrics.ts defines the sixteen connector metrics docs/operations.md lists", () => {
    expect(defined.map((d) => d.name).sort()).toEqual([
      "siem_connector_account_held",
      "siem_connector_activities_published",
      "siem_connector_consecutive_failures",
      "siem_connector_heap_pages_returned_pause_seconds",
      "siem_connector_history_gaps",
      "siem_connector_lag_seconds",
      "siem_connector_last_page_timestamp_seconds",
      "siem_connector_provider_request_duration_seconds",
      "siem_connector_provider_requests",
      "siem_connector_publish_duration_seconds",
      "siem_connector_rate_limit_wait_seconds",
      "siem_connector_read_slot_wait_seconds",
      "siem_connector_records_dead_lettered",
      "siem_connector_shard_held",
      "siem_connector_shards_held",
      "siem_connector_stream_state",
    ])
  })

  it.scoped("every name derived from the source is in a rendered /metrics", () =>
    Effect.gen(function* () {
      const account = { id: "monitoring-test-account", integration: "okta" }
      const mirror = yield* makeStreamMetrics
      yield* mirror(
        [
          {
            integrated_account_id: account.id,
            integration: account.integration,
            state: "caught_up",
            last_page_at: "2026-11-30T10:00:00.000Z",
            consecutive_failures: 0,
            published_total: 4,
            dead_lettered_total: 1,
            gaps_total: 1,
            newest_by_stream: { system_log: "2026-11-30T09:59:00.000Z" },
          },
        ],
        Date.parse("2026-11-30T10:00:00.000Z"),
        [0],
      )
      yield* countProviderRequest(account, "200")
      yield* Metric.incrementBy(forAccount(rateLimitWait, account), 1.5)
      yield* timed(publishDuration)(Effect.void)
      yield* Metric.update(heapPagesReturnedPause, 0.25)
      yield* Metric.update(readSlotWait, 0.5)
      yield* timed(forAccount(providerRequestDuration, account))(Effect.void)
      const text = yield* (yield* makePrometheus).render
      const rendered = new Set(
        text
          .split("\n")
          .filter((line) => line !== "" && !line.startsWith("#"))
          .map((line) => line.split(/[{ ]/)[0]),
      )
      expect([...exposed].filter((name) => !rendered.has(name))).toEqual([])
    }),
  )

  it("the PromQL name extraction skips functions, keywords, labels and variables", () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.95, sum by (le, integration) (rate(a_bucket{x=~"y|z"}[$__rate_interval]))) > 2 * 30 and on (i) b == 1',
      ),
    ).toEqual(["a_bucket", "b"])
    expect(metricNamesIn("time() - max by (integration) (c_seconds) > 20 * 30")).toEqual(["c_seconds"])
  })
})

describe("siem/monitoring/prometheus-alerts.yml", () => {
  it("parses, and every rule has an expression, a severity and a summary", () => {
    expect(alerts.length).toBeGreaterThanOrEqual(10)
    for (const rule of alerts) {
      expect(rule.alert).toMatch(/^SiemConnector[A-Za-z]+$/)
      expect(typeof rule.expr).toBe("string")
      expect(["critical", "warning", "info"]).toContain(rule.labels?.severity)
      expect(rule.annotations?.summary).toMatch(/\S/)
    }
  })

  it("every expression reads only metrics the connector defines (and Prometheus's own `up`)", () => {
    for (const rule of alerts) {
      const names = metricNamesIn(rule.expr)
      expect(names.length, rule.alert).toBeGreaterThan(0)
      const unknown = names.filter((n) => !exposed.has(n) && !PROMETHEUS_SYNTHETIC.has(n))
      expect({ alert: rule.alert, unknown }).toEqual({ alert: rule.alert, unknown: [] })
    }
  })

  it("covers the stream stopped and retrying, a stale stream, lag, history gaps and dead letters", () => {
    const reads = (metric: string) => alerts.filter((r) => r.expr.includes(metric)).map((r) => r.alert)
    expect(alerts.filter((r) => r.expr.includes('state="stopped"'))).toHaveLength(1)
    expect(alerts.filter((r) => r.expr.includes('state="retrying"'))).toHaveLength(1)
    expect(reads("siem_connector_last_page_timestamp_seconds")).toHaveLength(1)
    expect(reads("siem_connector_lag_seconds")).toHaveLength(1)
    expect(reads("siem_connector_history_gaps_total")).toHaveLength(1)
    expect(reads("siem_connector_records_dead_lettered_total")).toHaveLength(1)
  })

  const promtool = spawnSync("promtool", ["--version"], { encoding: "utf8" })
  const hasPromtool = promtool.status === 0
  it.skipIf(!hasPromtool)(
    "promtool check rules, and promtool test rules on prometheus-alerts.test.yml (skipped: promtool is not installed; `apt-get install prometheus` provides it)",
    () => {
      const check = spawnSync("promtool", ["check", "rules", "prometheus-alerts.yml"], {
        cwd: monitoring,
        encoding: "utf8",
      })
      expect(check.stdout + check.stderr).toContain("SUCCESS")
      expect(check.status).toBe(0)
      const unit = spawnSync("promtool", ["test", "rules", "prometheus-alerts.test.yml"], {
        cwd: monitoring,
        encoding: "utf8",
      })
      expect({ status: unit.status, output: unit.stdout + unit.stderr }).toMatchObject({ status: 0 })
    },
  )
})

describe("siem/monitoring/grafana-dashboard.json", () => {
  const queries = [
    ...dashboard.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: p.title, expr: t.expr }))),
    ...dashboard.templating.list
      .filter((v) => v.type === "query")
      .map((v) => ({
        where: `variable ${v.name}`,
        expr: String((v.query as { query?: string })?.query ?? v.query).replace(
          /^label_values\((.*),\s*\w+\)$/,
          "$1",
        ),
      })),
  ]

  it("every panel query and variable reads only metrics the connector defines", () => {
    expect(queries.length).toBeGreaterThanOrEqual(12)
    for (const { where, expr } of queries) {
      const names = metricNamesIn(expr)
      expect(names.length, where).toBeGreaterThan(0)
      expect({ where, unknown: names.filter((n) => !exposed.has(n)) }).toEqual({ where, unknown: [] })
    }
  })

  it("every connector metric appears on the dashboard", () => {
    const used = new Set(queries.flatMap(({ expr }) => metricNamesIn(expr)))
    for (const { kind, name } of defined) {
      const shown = kind === "counter" ? `${name}_total` : kind === "histogram" ? `${name}_bucket` : name
      expect(used.has(shown), name).toBe(true)
    }
  })

  it.skipIf(spawnSync("promtool", ["--version"]).status !== 0)(
    "promtool parses every dashboard query (skipped: promtool is not installed)",
    () => {
      // promtool has no bare "parse" command; a rules file of recording rules is parsed the same way.
      const file = {
        groups: [
          {
            name: "dashboard",
            rules: queries.map((q, i) => ({
              record: `dashboard:query:${i}`,
              expr: q.expr
                .replaceAll("$__rate_interval", "5m")
                .replaceAll("$integration", ".*")
                .replaceAll("$account", ".*"),
            })),
          },
        ],
      }
      const dir = mkdtempSync(join(tmpdir(), "siem-dashboard-"))
      writeFileSync(join(dir, "queries.yml"), JSON.stringify(file))
      const check = spawnSync("promtool", ["check", "rules", join(dir, "queries.yml")], { encoding: "utf8" })
      rmSync(dir, { recursive: true })
      expect({ status: check.status, output: check.stdout + check.stderr }).toMatchObject({ status: 0 })
    },
  )
})
