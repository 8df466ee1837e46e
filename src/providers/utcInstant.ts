import { toUtcInstant } from "../domain/Activity.ts"

let lastValue: string | number | undefined
let lastInstant: string | undefined

/**
 * `toUtcInstant` with its last answer kept. A record's time is checked by its schema's filter and read again
 * by its mapping (Zoom's synthetic id a third time), one right after the other: one parse per record instead
 * of two or three, which was a tenth of decode + map + route (BENCHMARKS.md, mapping). toUtcInstant is pure, so
 * the kept answer is the one it would give again; Dates are not taken, as they would compare by identity.
 */
export const utcInstant = (value: string | number): string | undefined => {
  if (value === lastValue) return lastInstant
  const instant = toUtcInstant(value)
  lastValue = value
  lastInstant = instant
  return instant
}
