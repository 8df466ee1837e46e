import { toUtcInstant } from "../domain/Activity.ts"

let lastValue: string | number | undefined
let lastInstant: string | undefined

/**
 * How much of `text` a UTC time written as toUtcInstant writes it would repeat: the date and time up to the
 * seconds (19) or milliseconds (23) before a `Z` or `+00:00`, as most providers send times; 0 for other forms.
 */
const utcPrefixLength = (text: string): number => {
  const fraction = text.charCodeAt(19) === 0x2e /* . */
  const zone = text.slice(fraction ? 23 : 19)
  return zone === "Z" || zone === "+00:00" ? (fraction && text.length >= 24 ? 23 : 19) : 0
}

/** The instant of a UTC time whose date and time read back as written; undefined for any other. */
const readBack = (text: string): string | undefined => {
  const prefix = utcPrefixLength(text)
  if (prefix === 0) return undefined
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) return undefined
  const iso = new Date(ms).toISOString()
  return iso.slice(0, prefix) === text.slice(0, prefix) ? iso : undefined
}

/**
 * `toUtcInstant` with its last answer kept. A record's time is checked by its schema's filter and read again
 * by its mapping (Zoom's synthetic id a third time), one right after the other: one parse per record instead
 * of two or three, which was a tenth of decode + map + route (BENCHMARKS.md, mapping). toUtcInstant is pure, so
 * the kept answer is the one it would give again; Dates are not taken, as they would compare by identity.
 * A UTC time whose date and time read back as written is a real date (a rolled-over one reads back as
 * another), so toUtcInstant would return what it read: that is returned without toUtcInstant's date checks.
 */
export const utcInstant = (value: string | number): string | undefined => {
  if (value === lastValue) return lastInstant
  const instant = (typeof value === "string" ? readBack(value) : undefined) ?? toUtcInstant(value)
  lastValue = value
  lastInstant = instant
  return instant
}
