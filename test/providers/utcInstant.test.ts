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

describe("utcInstant", () => {
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
