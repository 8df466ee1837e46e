import { Metrics, Resource } from "@effect/opentelemetry"
import { PrometheusExporter, PrometheusSerializer } from "@opentelemetry/exporter-prometheus"
import { RuntimeNodeInstrumentation } from "@opentelemetry/instrumentation-runtime-node"
import { MeterProvider } from "@opentelemetry/sdk-metrics"
import { Duration, Effect, Metric, MetricBoundaries } from "effect"
import type { AccountStreamHealth, StreamState } from "./AccountStreamHealth.ts"

// The connector's metrics are Effect `Metric`s, updated where things happen; @effect/opentelemetry hands
// them to OpenTelemetry's Prometheus exporter, which also carries Node's own runtime metrics (event-loop
// delay, heap) from @opentelemetry/instrumentation-runtime-node. `/metrics` is that exporter's text.

const seconds = MetricBoundaries.exponential({ start: 0.01, factor: 2, count: 14 })

/** One provider HTTP request (one attempt), by account and answer status (`error` when none came). */
export const providerRequestDuration = Metric.histogram(
  "siem_connector_provider_request_duration_seconds",
  seconds,
  "Latency of one provider HTTP request (one attempt, retries apart).",
)
export const providerRequests = Metric.counter("siem_connector_provider_requests", {
  incremental: true,
  description: "Provider HTTP requests by account and answer status (`error`: no answer).",
})
export const rateLimitWait = Metric.counter("siem_connector_rate_limit_wait_seconds", {
  incremental: true,
  description: "Seconds spent waiting for a provider's rate-limit window to reset.",
})
/** One publish: a page and its checkpoint in one Kafka transaction. */
export const publishDuration = Metric.histogram(
  "siem_connector_publish_duration_seconds",
  seconds,
  "Latency of one publish (a page and its checkpoint in one Kafka transaction).",
)

/** How long a page read waited for one of the process's read slots (`poll.concurrent_reads`). */
export const readSlotWait = Metric.histogram(
  "siem_connector_read_slot_wait_seconds",
  seconds,
  "Wait of one provider page read for a read slot (poll.concurrent_reads): long waits mean the bound holds reads back.",
)

/** One collection of the last resort that returned V8's freed heap pages to the system: the process's pause. */
export const heapPagesReturnedPause = Metric.histogram(
  "siem_connector_heap_pages_returned_pause_seconds",
  seconds,
  "Pause of one last-resort collection run to return V8's freed heap pages to the system (Node.js 24 keeps them resident otherwise).",
)

/** Tags an Effect metric with the account it is about. */
export const forAccount = <Type, In, Out>(
  metric: Metric.Metric<Type, In, Out>,
  account: { readonly id: string; readonly integration: string },
): Metric.Metric<Type, In, Out> =>
  metric.pipe(
    Metric.tagged("integration", account.integration),
    Metric.tagged("integrated_account_id", account.id),
  )

export const countProviderRequest = (
  account: { readonly id: string; readonly integration: string },
  status: string,
) => Metric.increment(Metric.tagged(forAccount(providerRequests, account), "status", status))

/** Records the duration of `effect` in `histogram`, in seconds. */
export const timed =
  (histogram: Metric.Metric.Histogram<number>) =>
  <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Metric.trackDurationWith(histogram, (d: Duration.Duration) => Duration.toMillis(d) / 1000)(effect)

// The per-account state is kept by the pipeline's StreamHealth; these mirror it at each scrape.
const published = Metric.counter("siem_connector_activities_published", {
  incremental: true,
  description: "Activities published to Kafka since the account's stream first started.",
})
const deadLettered = Metric.counter("siem_connector_records_dead_lettered", {
  incremental: true,
  description: "Provider records sent to the dead-letter topic.",
})
const gaps = Metric.counter("siem_connector_history_gaps", {
  incremental: true,
  description: "Times the provider no longer kept the history a checkpoint pointed at.",
})
const failures = Metric.gauge("siem_connector_consecutive_failures", {
  description: "Failures of the account's stream since its last good page.",
})
const streamState = Metric.gauge("siem_connector_stream_state", {
  description: "1 for the account stream's current state.",
})
const lastPage = Metric.gauge("siem_connector_last_page_timestamp_seconds", {
  description: "When the account's last provider page was handled.",
})
const lag = Metric.gauge("siem_connector_lag_seconds", {
  description: "Now minus the newest created_at published, per account and stream.",
})

const accountHeld = Metric.gauge("siem_connector_account_held", {
  description: "1 while this instance streams the account (holds its shard), 0 once it has given it up.",
})
const shardHeld = Metric.gauge("siem_connector_shard_held", {
  description:
    "1 while this instance holds the shard (a partition of the checkpoint topic), 0 once given up.",
})
const shardsHeld = Metric.gauge("siem_connector_shards_held", {
  description: "How many shards this instance holds.",
})

const states: ReadonlyArray<StreamState> = ["starting", "streaming", "caught_up", "retrying", "stopped"]

/**
 * Mirrors the streams' state into the metrics above. The totals come from the checkpoints (they survive
 * restarts), so the counters are moved by what grew since the last scrape.
 */
export const makeStreamMetrics = Effect.sync(() => {
  const seen = new Map<string, { published: number; deadLettered: number; gaps: number }>()
  const integrations = new Map<string, string>()
  const shardsSeen = new Set<number>()
  /** Accounts and shards this instance no longer holds: their gauges say so, not their last state. */
  const released = (accounts: ReadonlyArray<AccountStreamHealth>, shards: ReadonlyArray<number>) =>
    Effect.gen(function* () {
      for (const shard of shards) shardsSeen.add(shard)
      yield* Metric.set(shardsHeld, shards.length)
      for (const shard of shardsSeen)
        yield* Metric.set(Metric.tagged(shardHeld, "shard", String(shard)), shards.includes(shard) ? 1 : 0)
      const current = new Set(accounts.map((a) => a.integrated_account_id))
      for (const a of accounts) integrations.set(a.integrated_account_id, a.integration)
      for (const [id, integration] of integrations) {
        const account = { id, integration }
        yield* Metric.set(forAccount(accountHeld, account), current.has(id) ? 1 : 0)
        if (!current.has(id))
          yield* Effect.forEach(states, (state) =>
            Metric.set(Metric.tagged(forAccount(streamState, account), "state", state), 0),
          )
      }
    })
  return (accounts: ReadonlyArray<AccountStreamHealth>, nowMs: number, shards: ReadonlyArray<number> = []) =>
    Effect.zipRight(
      released(accounts, shards),
      Effect.forEach(
        accounts,
        (a) => {
          const account = { id: a.integrated_account_id, integration: a.integration }
          const before = seen.get(account.id) ?? { published: 0, deadLettered: 0, gaps: 0 }
          seen.set(account.id, {
            published: a.published_total,
            deadLettered: a.dead_lettered_total,
            gaps: a.gaps_total,
          })
          return Effect.all([
            Metric.incrementBy(forAccount(published, account), a.published_total - before.published),
            Metric.incrementBy(
              forAccount(deadLettered, account),
              a.dead_lettered_total - before.deadLettered,
            ),
            Metric.incrementBy(forAccount(gaps, account), a.gaps_total - before.gaps),
            Metric.set(forAccount(failures, account), a.consecutive_failures),
            Effect.forEach(states, (state) =>
              Metric.set(
                Metric.tagged(forAccount(streamState, account), "state", state),
                a.state === state ? 1 : 0,
              ),
            ),
            a.last_page_at === undefined
              ? Effect.void
              : Metric.set(forAccount(lastPage, account), Date.parse(a.last_page_at) / 1000),
            Effect.forEach(Object.entries(a.newest_by_stream ?? {}), ([stream, newest]) =>
              Metric.set(
                Metric.tagged(forAccount(lag, account), "stream", stream),
                Math.max(0, (nowMs - Date.parse(newest)) / 1000),
              ),
            ),
          ])
        },
        { discard: true },
      ),
    )
})

/**
 * The Prometheus exposition of every Effect metric of the process plus Node's runtime metrics. No server of
 * the exporter's own: the management listener serves `render`.
 */
export const makePrometheus = Effect.gen(function* () {
  const producer = yield* Metrics.makeProducer.pipe(
    Effect.provide(Resource.layer({ serviceName: "siem-activity-connector" })),
  )
  const exporter = new PrometheusExporter({
    preventServerStart: true,
    withoutScopeInfo: true,
    withoutTargetInfo: true,
    metricProducers: [producer],
  })
  const meters = new MeterProvider({ readers: [exporter] })
  // The event-loop delay is reported once it has 5 samples since the last scrape: sampling every 100 ms
  // (cheap) keeps it present at any scrape interval.
  const runtime = new RuntimeNodeInstrumentation({ monitoringPrecision: 100 })
  runtime.setMeterProvider(meters)
  runtime.enable()
  yield* Effect.addFinalizer(() =>
    Effect.promise(async () => {
      runtime.disable()
      await meters.shutdown()
    }),
  )
  const serializer = new PrometheusSerializer()
  return {
    render: Effect.promise(async () => serializer.serialize((await exporter.collect()).resourceMetrics)),
  }
})
