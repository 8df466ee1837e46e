import { Schema } from "effect"
import { ActivityFilters } from "../domain/ActivityFilters.ts"

/**
 * Where an account's stream stands, written in the same Kafka transaction as the events before it. The
 * position is the adapter's (provider cursor plus whatever boundary dedupe state it needs); the filters are
 * those the stream started with, so a resumed stream asks the provider the same question.
 */
export const Checkpoint = Schema.Struct({
  version: Schema.Literal(1),
  integrated_account_id: Schema.String,
  integration: Schema.String,
  filters: ActivityFilters,
  position: Schema.Unknown,
  updated_at: Schema.String,
  /** Totals since the stream first started, carried from checkpoint to checkpoint. */
  published_total: Schema.Number,
  dead_lettered_total: Schema.Number,
  /** History the connector could not read because the provider no longer kept it. */
  gaps: Schema.Array(Schema.Struct({ detected_at: Schema.String, reason: Schema.String })),
})
export type Checkpoint = typeof Checkpoint.Type

export const encodeCheckpoint = (checkpoint: Checkpoint): string => JSON.stringify(checkpoint)
export const decodeCheckpoint = Schema.decodeUnknownEither(Schema.parseJson(Checkpoint))
