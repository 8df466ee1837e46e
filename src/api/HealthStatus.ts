import { Context, Effect, Schema } from "effect"

/** `/healthz`: `ok` and `degraded` answer 200 (the process serves), `down` answers 503. */
export const HealthReport = Schema.Struct(
  { status: Schema.Literal("ok", "degraded", "down") },
  Schema.Record({ key: Schema.String, value: Schema.Unknown }),
).annotations({ identifier: "HealthReport" })
export type HealthReport = typeof HealthReport.Type

/** `/readyz`: 200 once `ready`, 503 before, with what is still missing. */
export interface Readiness {
  readonly ready: boolean
  readonly [check: string]: unknown
}

/**
 * What the management listener reports. The default says the server is up and ready (the `serve` command
 * has no pipeline); the `run` command provides its own from the streams and the broker.
 */
export class HealthStatus extends Context.Reference<HealthStatus>()("HealthStatus", {
  defaultValue: (): {
    readonly report: Effect.Effect<HealthReport>
    readonly readiness: Effect.Effect<Readiness>
    /** Brings the per-account metrics up to date before a scrape. */
    readonly observe: Effect.Effect<void>
  } => ({
    report: Effect.succeed({ status: "ok" }),
    readiness: Effect.succeed({ ready: true }),
    observe: Effect.void,
  }),
}) {}
