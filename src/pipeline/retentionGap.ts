import { Duration } from "effect"
import { type Checkpoint, hasPositions, withStoredPositions } from "./Checkpoint.ts"
import { newer } from "./routePage.ts"

/**
 * How far a checkpoint has read, in the provider's time: the later of the instant its last caught-up read
 * began (`read_through`) and the newest activity it published; before either, the instant it was asked to
 * start at. Judged by the newest activity alone, an account quiet for longer than the retention would look
 * as if it had stopped reading then. Unknown for a checkpoint that has a provider position but predates both
 * fields; the provider's own "too old" answer still catches those.
 */
const readThrough = (checkpoint: Checkpoint): string | undefined =>
  newer(checkpoint.read_through, checkpoint.last_created_at) ??
  (hasPositions(checkpoint) ? undefined : checkpoint.filters.created_at)

/**
 * The checkpoint to resume from when the provider no longer keeps what the stream would read next: restarted
 * at the oldest activity the provider keeps, with the history in between recorded as a gap. Nothing already
 * published is read again, since all of it is older than that point. Undefined when there is no gap (or the
 * provider states no retention).
 */
export const withRetentionGap = (
  checkpoint: Checkpoint,
  retention: Duration.Duration | undefined,
  nowMs: number,
): Checkpoint | undefined => {
  const through = readThrough(checkpoint)
  if (retention === undefined || through === undefined) return undefined
  const oldestKept = nowMs - Duration.toMillis(retention)
  const throughMs = Date.parse(through)
  if (Number.isNaN(throughMs) || throughMs >= oldestKept) return undefined
  const to = new Date(oldestKept).toISOString()
  return {
    ...withStoredPositions(checkpoint, checkpoint.positions === undefined ? undefined : { streams: {} }),
    filters: { ...checkpoint.filters, created_at: to },
    // What lies before `to` is accounted for, read or recorded as this gap: a restart before the next read
    // must not record it again.
    read_through: to,
    gaps: [
      ...checkpoint.gaps,
      {
        detected_at: new Date(nowMs).toISOString(),
        reason: `the stream had read through ${through}, but ${checkpoint.integration} keeps only ${Duration.format(retention)} of history (since ${to}); activity in between could not be read`,
        from: through,
        to,
      },
    ],
  }
}
