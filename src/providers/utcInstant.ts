import { toUtcInstant } from "../domain/Activity.ts"

let lastValue: string | number | undefined
let lastInstant: string | undefined

/** The number `text`'s characters from `from` to `to` write in decimal; -1 when one of them is not a digit. */
const digitsAt = (text: string, from: number, to: number): number => {
  let n = 0
  for (let i = from; i < to; i++) {
    const digit = text.charCodeAt(i) - 48
    if (!(digit >= 0 && digit <= 9)) return -1
    n = n * 10 + digit
  }
  return n
}

const daysIn = (year: number, month: number): number =>
  month === 2
    ? year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0)
      ? 29
      : 28
    : month === 4 || month === 6 || month === 9 || month === 11
      ? 30
      : 31

/**
 * The instant of a UTC time written `YYYY-MM-DDTHH:mm:ss`, with or without `.sss`, then `Z` or `+00:00` (as most
 * providers send times), when it names a real date and time; undefined for any other text, which toUtcInstant
 * then reads. Such a text is its own instant, so it is read from its characters: Date.parse and toISOString
 * cost about 0.7 µs a record here (BENCHMARKS.md, mapping), and no library checks this one shape for less.
 * What it accepts is what a Date read back unchanged (a rolled-over date would read back as another day).
 */
const utcShaped = (text: string): string | undefined => {
  const fraction = text.charCodeAt(19) === 0x2e /* . */
  const zoneAt = fraction ? 23 : 19
  const zoneLength = text.length - zoneAt
  const zoned =
    zoneLength === 1 ? text.charCodeAt(zoneAt) === 0x5a /* Z */ : zoneLength === 6 && text.endsWith("+00:00")
  if (
    !zoned ||
    text.charCodeAt(4) !== 0x2d /* - */ ||
    text.charCodeAt(7) !== 0x2d ||
    text.charCodeAt(10) !== 0x54 /* T */ ||
    text.charCodeAt(13) !== 0x3a /* : */ ||
    text.charCodeAt(16) !== 0x3a ||
    (fraction && digitsAt(text, 20, 23) < 0)
  )
    return undefined
  const year = digitsAt(text, 0, 4)
  const month = digitsAt(text, 5, 7)
  const day = digitsAt(text, 8, 10)
  const hour = digitsAt(text, 11, 13)
  const minute = digitsAt(text, 14, 16)
  const second = digitsAt(text, 17, 19)
  if (year < 0 || month < 1 || month > 12 || day < 1 || day > daysIn(year, month)) return undefined
  if (hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined
  if (!fraction) return `${text.slice(0, 19)}.000Z`
  return zoneLength === 1 ? text : `${text.slice(0, 23)}Z`
}

/**
 * `toUtcInstant` with its last answer kept. A record's time is checked by its schema's filter and read again
 * by its mapping (Zoom's synthetic id a third time), one right after the other: one parse per record instead
 * of two or three, which was a tenth of decode + map + route (BENCHMARKS.md, mapping). toUtcInstant is pure, so
 * the kept answer is the one it would give again; Dates are not taken, as they would compare by identity.
 * A UTC time of the usual shape that names a real date is its own instant (utcShaped): returned without a Date.
 */
export const utcInstant = (value: string | number): string | undefined => {
  if (value === lastValue) return lastInstant
  const instant = (typeof value === "string" ? utcShaped(value) : undefined) ?? toUtcInstant(value)
  lastValue = value
  lastInstant = instant
  return instant
}
