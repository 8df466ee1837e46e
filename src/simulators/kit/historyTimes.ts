import { seededRandom } from "./seededRandom.ts"

export interface HistoryTimesOptions {
  readonly seed?: number
  /** How many; 50 unless given. */
  readonly historySize?: number
  /** How far back they reach; six hours unless given. */
  readonly historySpanMs?: number
}

const HOUR_MS = 3_600_000
/** The history ends this long before the start, so none of it is still settling. */
const QUIET_MS = 5 * 60_000

/**
 * When a history's records happened (epoch ms, oldest first): scattered over the span that ends five minutes
 * before `now`. The times come from their own seeded source, so the records' story does not depend on the
 * history's length.
 */
export const historyTimes = (options: HistoryTimesOptions, now: number): ReadonlyArray<number> => {
  const span = options.historySpanMs ?? 6 * HOUR_MS
  const end = now - QUIET_MS
  const { next } = seededRandom((options.seed ?? 1) + 7919)
  return Array.from({ length: options.historySize ?? 50 }, () => Math.floor(end - next() * span)).sort(
    (a, b) => a - b,
  )
}
