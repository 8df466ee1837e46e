import { toUtcInstant } from "../domain/Activity.ts"

let lastValue: string | number | undefined
let lastInstant: string | undefined

/** `2026-12-07T04:27:06.123Z`: the form toUtcInstant gives, and that most providers send. */
const isInstantShaped = (text: string) =>
  text.length === 24 && text.charCodeAt(23) === 0x5a /* Z */ && text.charCodeAt(19) === 0x2e /* . */

/**
 * `toUtcInstant` with its last answer kept. A record's time is checked by its schema's filter and read again
 * by its mapping (Zoom's synthetic id a third time), one right after the other: one parse per record instead
 * of two or three, which was a tenth of decode + map + route (BENCHMARKS.md, mapping). toUtcInstant is pure, so
 * the kept answer is the one it would give again; Dates are not taken, as they would compare by identity.
 * A time already in the instant form that reads back as itself is a real date (a rolled-over one reads back
 * as another), so toUtcInstant would return it unchanged: it is returned without toUtcInstant's date checks.
 */
export const utcInstant = (value: string | number): string | undefined => {
  if (value === lastValue) return lastInstant
  let instant: string | undefined
  if (typeof value === "string" && isInstantShaped(value)) {
    const ms = Date.parse(value)
    if (!Number.isNaN(ms) && new Date(ms).toISOString() === value) instant = value
  }
  if (instant === undefined) instant = toUtcInstant(value)
  lastValue = value
  lastInstant = instant
  return instant
}
