import { createHash } from "node:crypto"
import { Effect } from "effect"
import { describe, expect, it } from "vitest"
import { canonicalDigest, canonicalJson } from "../../src/providers/canonicalJson.ts"
import { simulators } from "../../src/simulators/registry.ts"

// Synthetic ids are digests of canonicalJson: a record must get the id it got before the library wrote it, or
// a re-read after an upgrade would publish it again. The oracle is the recursive sort-and-join the providers
// had, kept here as the definition.
const sortAndJoin = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(sortAndJoin).join(",")}]`
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${sortAndJoin(field)}`).join(",")}}`
  }
  return JSON.stringify(value) ?? "null"
}

const edgeCases: ReadonlyArray<unknown> = [
  null,
  0,
  -0,
  1e21,
  1.5e-7,
  -12.25,
  true,
  "",
  'quote " backslash \\ slash / tab \t newline \n nul \u0000 del \u007f',
  "non-ASCII: é, 日本, emoji 😀, lone surrogates \ud800 and \udfff, line separator \u2028",
  [],
  {},
  [null, [[]], {}, [1, "a", { z: 1, a: [2, { y: null, b: "" }] }]],
  { b: 1, a: 2, B: 3, _: 4, "": 5, "10": 6, "9": 7, é: 8, Z: 9, "😀": 10, "e\u0301": 11 },
  { nested: { z: { y: { x: [3, 2, 1] } }, a: undefined }, undefinedInArray: [undefined, 1] },
]

describe("canonicalJson", () => {
  it("writes what the recursive sort-and-join wrote, for awkward values", () => {
    for (const value of edgeCases) expect(canonicalJson(value)).toBe(sortAndJoin(value))
  })

  it.each(["browserstack", "confluence", "dropbox", "github"] as const)(
    "writes what the recursive sort-and-join wrote, and the same digest, for every %s simulator record",
    async (integration) => {
      const start = simulators[integration]
      if (start === undefined) throw new Error(`no simulator for ${integration}`)
      const records = await Effect.runPromise(
        Effect.scoped(Effect.map(start({ seed: 5, historySize: 300 }), (sim) => sim.events())),
      )
      expect(records.length).toBeGreaterThan(100)
      for (const record of JSON.parse(JSON.stringify(records)) as unknown[]) {
        expect(canonicalJson(record)).toBe(sortAndJoin(record))
        expect(canonicalDigest(record)).toBe(
          createHash("sha256").update(sortAndJoin(record), "utf8").digest("hex"),
        )
      }
    },
  )
})
