import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { toUtcInstant } from "../../src/domain/Activity.ts"
import { utcInstant } from "../../src/providers/utcInstant.ts"

// utcInstant stands in for toUtcInstant in every provider's schema and mapping: it must answer as it does.
const awkward: ReadonlyArray<string | number> = [
  "2026-12-07T04:27:06.123Z",
  "2026-12-07T04:27:06Z",
  "2026-12-07T04:27:06.123+00:00",
  "2026-12-07T04:27:06+00:00",
  "2026-12-07T04:27:06.1Z",
  "2026-12-07T04:27:06.12345Z",
  "2026-12-07T04:27:06.123-00:00",
  "2026-12-07T04:27:06.123+0000",
  "2017-09-31T00:00:00Z",
  "2017-09-31T00:00:00.000+00:00",
  "2016-02-29T24:00:00Z",
  "2016-02-29T23:60:00Z",
  "+002016-02-29T12:00Z",
  "2016-02-29 12:00:00Z",
  "xxxxxxxxxxxxxxxxxxxZ",
  "2026-12-07T05:27:06.123+01:00",
  "2017-09-31T00:00:00.000Z",
  "2017-02-29T12:00:00.000Z",
  "2016-02-29T12:00:00.000Z",
  "2016-02-29T24:00:00.000Z",
  "2016-12-31T23:59:60.000Z",
  "2016-13-01T00:00:00.000Z",
  "0000-01-01T00:00:00.000Z",
  "+002016-02-29T12:00:00.000Z",
  "2016-02-29T12:00:00.000z",
  "2016-02-29 12:00:00.000Z",
  "not a time at all, 24 chZ",
  "",
  0,
  1_700_000_000_000,
  Number.NaN,
  8.64e15 + 1,
]

/**
 * What utcInstant answered before it read times from their characters: a UTC time whose date and time read
 * back through a Date as written, else toUtcInstant. Its answers are the published bytes to keep.
 */
const readBackBefore = (value: string | number): string | undefined => {
  if (typeof value !== "string") return toUtcInstant(value)
  const fraction = value.charCodeAt(19) === 0x2e
  const zone = value.slice(fraction ? 23 : 19)
  const prefix = zone === "Z" || zone === "+00:00" ? (fraction && value.length >= 24 ? 23 : 19) : 0
  const ms = prefix === 0 ? Number.NaN : Date.parse(value)
  const iso = Number.isNaN(ms) ? undefined : new Date(ms).toISOString()
  return iso !== undefined && iso.slice(0, prefix) === value.slice(0, prefix) ? iso : toUtcInstant(value)
}

/** 0000-01-01T00:00:00.000Z (Date.UTC reads years 0–99 as 1900–1999). */
const yearZero = -62_167_219_200_000

const pad = (n: number, width: number) => String(n).padStart(width, "0")

/** Times of the usual shape with every field pushed a little past its range, and each character mutated. */
const nearTime = fc
  .record({
    year: fc.oneof(fc.integer({ min: 0, max: 9_999 }), fc.constantFrom(0, 1, 4, 100, 1900, 2000, 2024, 2100)),
    month: fc.integer({ min: 0, max: 13 }),
    day: fc.integer({ min: 0, max: 32 }),
    hour: fc.integer({ min: 0, max: 25 }),
    minute: fc.integer({ min: 0, max: 61 }),
    second: fc.integer({ min: 0, max: 61 }),
    fraction: fc.constantFrom("", ".000", ".123", ".999", ".1", ".12", ".1234", ".12a"),
    zone: fc.constantFrom("Z", "+00:00", "z", "-00:00", "+0000", "+01:00", "", "ZZ", " Z", "+00:00Z"),
    sep: fc.constantFrom("T", "T", "T", " ", "t"),
  })
  .map(
    (t) =>
      `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(t.day, 2)}${t.sep}${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}${t.fraction}${t.zone}`,
  )
const mutated = fc
  .tuple(nearTime, fc.nat(), fc.constantFrom("", "0", "9", "-", ":", ".", "+", "Z", "T", "/", "\u0660", " "))
  .map(([text, at, char]) => {
    const i = at % (text.length + 1)
    return `${text.slice(0, i)}${char}${text.slice(i + 1)}`
  })

describe("utcInstant", () => {
  test.prop([fc.oneof(nearTime, mutated, fc.string({ maxLength: 30 }))], { numRuns: 20_000 })(
    "answers as the Date read-back it replaced, for near-miss times and any text",
    (text) => {
      expect(utcInstant(text)).toBe(readBackBefore(text))
    },
  )

  it("answers as the Date read-back it replaced for the end of February of every year 0000–9999", () => {
    for (let year = 0; year <= 9_999; year++)
      for (const day of ["02-28", "02-29", "02-30", "03-01"]) {
        const text = `${pad(year, 4)}-${day}T00:00:00Z`
        expect(utcInstant(text)).toBe(readBackBefore(text))
      }
  })

  test.prop([fc.integer({ min: yearZero, max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) })], {
    numRuns: 20_000,
  })("answers as the Date read-back it replaced for any instant of years 0000–9999, in each form", (ms) => {
    const text = new Date(ms).toISOString()
    for (const form of [
      text,
      `${text.slice(0, 19)}Z`,
      `${text.slice(0, 23)}+00:00`,
      `${text.slice(0, 19)}+00:00`,
    ])
      expect(utcInstant(form)).toBe(readBackBefore(form))
  })

  it("answers as toUtcInstant for awkward times, asked once or twice in a row", () => {
    for (const value of awkward) {
      expect(utcInstant(value)).toBe(toUtcInstant(value))
      expect(utcInstant(value)).toBe(toUtcInstant(value))
    }
  })

  it("answers as toUtcInstant for instants across four centuries, to the millisecond", () => {
    const [from, span] = [Date.UTC(1850, 0, 1), Date.UTC(2250, 0, 1) - Date.UTC(1850, 0, 1)]
    for (let i = 0; i < 5_000; i++) {
      // A step of some 11,431 days and a fraction: the day of the year, leap days and the time of day all vary.
      const text = new Date(from + ((i * 987_654_321_123) % span)).toISOString()
      // The forms providers send: with and without milliseconds, `Z` or `+00:00`.
      for (const form of [
        text,
        `${text.slice(0, 19)}Z`,
        `${text.slice(0, 23)}+00:00`,
        `${text.slice(0, 19)}+00:00`,
      ])
        expect(utcInstant(form)).toBe(toUtcInstant(form))
    }
  })
})
