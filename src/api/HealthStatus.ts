import { Context, Effect, Schema } from "effect"

/** `/healthz`: `ok` and `degraded` answer 200 (the process serves), `down` answers 503. */
export const HealthReport = Schema.Struct(
  { status: Schema.Literal("ok", "degraded", "down") },
  Schema.Record({ key: Schema.String, value: Schema.Unknown }),
).annotations({ identifier: "HealthReport" })
export type HealthReport = typeof HealthReport.Type

/**
 * What `/healthz` and `/metrics` report. The default says the server is up and has no metrics; the pipeline
 * provides its own to add per-account state (`Layer.succeed(HealthStatus, { report, metrics })`).
 */
export class HealthStatus extends Context.Reference<HealthStatus>()("HealthStatus", {
  defaultValue: (): {
    readonly report: Effect.Effect<HealthReport>
    /** Prometheus text exposition format. */
    readonly metrics: Effect.Effect<string>
  } => ({ report: Effect.succeed({ status: "ok" }), metrics: Effect.succeed("") }),
}) {}
