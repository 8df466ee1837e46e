import { Schema } from "effect"
import { ActivityFilters } from "../domain/ActivityFilters.ts"

/** History the connector could not read because the provider no longer kept it. */
export const HistoryGap = Schema.Struct({
  detected_at: Schema.String,
  reason: Schema.String,
  /** The newest activity published before the gap, when known: the gap starts after it. */
  from: Schema.optional(Schema.String),
  /** The oldest instant the provider still kept when the gap was found: the stream resumed there. */
  to: Schema.optional(Schema.String),
})
export type HistoryGap = typeof HistoryGap.Type

/**
 * Where an account's stream stands, written in the same Kafka transaction as the events before it. The
 * positions are the streams' (provider cursor or watermark: whatever boundary dedupe state each needs); the filters are
 * those the stream started with, so a resumed stream asks the provider the same question.
 *
 * `sequence`, `owner`, `last_created_at` and `read_through` came after the first release; checkpoints written
 * before them decode with `sequence` 0 and no owner.
 */
export const Checkpoint = Schema.Struct({
  /** 1: a single `position`, the one stream's (single-stream integrations). 2: `positions` per stream. */
  version: Schema.Literal(1, 2),
  integrated_account_id: Schema.String,
  integration: Schema.String,
  filters: ActivityFilters,
  /** Version 1: the position of the integration's one stream. */
  position: Schema.optional(Schema.Unknown),
  /** Version 2: each stream's position, by stream name; a stream without one starts where the filters say. */
  positions: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  updated_at: Schema.String,
  /**
   * +1 with every checkpoint the account's stream commits. A checkpoint read back from Kafka with a lower
   * sequence than one this process saw committed is stale (read below an open transaction) and is refused.
   */
  sequence: Schema.optionalWith(Schema.NonNegativeInt, { default: () => 0 }),
  /**
   * The connector instance that wrote it (random per process start). After its producer is fenced, a stream
   * learns from this whether another instance has taken the account over.
   */
  owner: Schema.optional(Schema.String),
  /** The newest `created_at` published so far: how far the stream has read, in the provider's time. */
  last_created_at: Schema.optional(Schema.String),
  /**
   * The provider-time instant the stream has read up to: when its last read that found every stream caught up
   * began (less any settle window that read left for later). An account with no new activity for months has
   * still read that far, which its `last_created_at` cannot tell. Added after `last_created_at`.
   */
  read_through: Schema.optional(Schema.String),
  /** The same per stream of the integration, for the lag each stream shows (added after `last_created_at`). */
  newest_by_stream: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.String })),
  /** Totals since the stream first started, carried from checkpoint to checkpoint. */
  published_total: Schema.Number,
  dead_lettered_total: Schema.Number,
  gaps: Schema.Array(HistoryGap),
}).pipe(
  // A version 2 without positions is not one this version wrote: read as version 1 it would restart every stream.
  Schema.filter((checkpoint) => checkpoint.version === 1 || checkpoint.positions !== undefined, {
    message: () => "a version 2 checkpoint holds its streams' positions",
  }),
)
export type Checkpoint = typeof Checkpoint.Type

export const encodeCheckpoint = (checkpoint: Checkpoint): string => JSON.stringify(checkpoint)
export const decodeCheckpoint = Schema.decodeUnknownEither(Schema.parseJson(Checkpoint))

/** The positions as stored, in the form `positionsFrom` reads. */
export const storedPositionsOf = (checkpoint: Checkpoint): unknown =>
  checkpoint.positions === undefined ? checkpoint.position : { streams: checkpoint.positions }

/**
 * The checkpoint fields for positions in their stored form (`storedPositions`): a single-stream integration's
 * bare position is written as version 1 (`position`), exactly as before streams existed; keyed positions as
 * version 2 (`positions`).
 */
export const withStoredPositions = (checkpoint: Checkpoint, stored: unknown): Checkpoint => {
  const { position: _position, positions: _positions, ...rest } = checkpoint
  if (typeof stored === "object" && stored !== null && "streams" in stored) {
    return { ...rest, version: 2, positions: (stored as { streams: Record<string, unknown> }).streams }
  }
  return { ...rest, version: 1, ...(stored === undefined ? {} : { position: stored }) }
}

/** Whether the checkpoint says where any stream stands (as opposed to starting from the filters). */
export const hasPositions = (checkpoint: Checkpoint): boolean =>
  checkpoint.positions === undefined
    ? checkpoint.position !== undefined
    : Object.keys(checkpoint.positions).length > 0
