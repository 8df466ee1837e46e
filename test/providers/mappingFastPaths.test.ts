import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { compact } from "../../src/domain/Activity.ts"
import { normaliseOffset } from "../../src/providers/jira/JiraAuditRecord.ts"
import { idChecksum, isSalesforceId } from "../../src/providers/salesforce/soql.ts"

// Round 5 of the mapping optimisations rewrote three per-record helpers without regular expressions or entry
// arrays. Each must answer exactly as the code it replaced, kept here as the reference.

const compactBefore = (record: Record<string, unknown>) => {
  const out: Record<string, unknown> = {}
  for (const [key, value] of Object.entries(record)) {
    if (value !== undefined && value !== null && value !== "") out[key] = value
  }
  return out
}

const CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
const idChecksumBefore = (id15: string): string =>
  [0, 5, 10]
    .map((start) => {
      let bits = 0
      for (let i = 0; i < 5; i++) if (/[A-Z]/.test(id15[start + i] ?? "")) bits |= 1 << i
      return CHECKSUM_ALPHABET[bits]
    })
    .join("")

const normaliseOffsetBefore = (text: string): string => text.replace(/([+-]\d{2})(\d{2})$/, "$1:$2")

/** Same keys, in the same order, with the same values: what JSON.stringify of the Activity sees. */
const sameObject = (a: object, b: object) => {
  expect(Object.keys(a)).toEqual(Object.keys(b))
  for (const key of Object.keys(a))
    expect(Object.is((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key])).toBe(true)
  expect(Object.getPrototypeOf(a)).toBe(Object.getPrototypeOf(b))
}

const idChars = fc.constantFrom(..."aAzZ09bQxX5mM:é\u0130\u212a ".split(""))

describe("compact", () => {
  it("keeps what the entries loop kept, in its order", () => {
    sameObject(compact({ b: 1, a: "", c: null, d: undefined, 2: "x", e: 0, f: false, g: "y" }), {
      2: "x",
      b: 1,
      e: 0,
      f: false,
      g: "y",
    })
  })

  test.prop([
    fc.dictionary(
      fc.oneof(fc.string(), fc.constantFrom("0", "1", "10", "__proto__", "constructor")),
      fc.oneof(fc.constantFrom(undefined, null, "", 0, false, Number.NaN), fc.anything()),
    ),
  ])("answers as the entries loop did for any record", (record) => {
    sameObject(compact(record), compactBefore(record))
  })

  it("leaves out inherited fields, as Object.entries did", () => {
    const record = Object.assign(Object.create({ inherited: "x" }) as Record<string, unknown>, { own: 1 })
    sameObject(compact(record), compactBefore(record))
  })
})

describe("Salesforce id checksum", () => {
  it("is Salesforce's for known ids", () => {
    expect(idChecksum("005Hn00000H35Jt")).toBe("IAJ")
    expect(isSalesforceId("005Hn00000H35JtIAJ")).toBe(true)
    expect(isSalesforceId("005Hn00000H35JtIAK")).toBe(false)
  })

  test.prop([fc.string({ minLength: 0, maxLength: 20, unit: idChars })])(
    "answers as the regular expressions did",
    (id) => {
      expect(idChecksum(id)).toBe(idChecksumBefore(id))
    },
  )

  test.prop([fc.string({ minLength: 15, maxLength: 15, unit: fc.constantFrom(..."aAzZ09bQ".split("")) })])(
    "accepts exactly the 18-character ids whose last three are the checksum",
    (id15) => {
      expect(isSalesforceId(`${id15}${idChecksumBefore(id15)}`)).toBe(true)
      expect(isSalesforceId(`${id15}${idChecksumBefore(id15).toLowerCase()}`)).toBe(true)
    },
  )
})

describe("Jira's offset", () => {
  const awkward = [
    "2014-03-19T18:45:42.967+0000",
    "2014-03-19T18:45:42.967-0530",
    "2014-03-19T18:45:42.967+05:30",
    "2014-03-19T18:45:42.967Z",
    "+0000",
    "0000",
    "-00000",
    "x+1234",
    "+12a4",
    "+123Z",
    "2014-03-19T18:45:42.967+000:",
    "+١٢٣٤",
    "",
    "+",
    "2014-03-19T18:45:42+0000\n",
  ]
  it.each(awkward)("%j as the regular expression wrote it", (text) => {
    expect(normaliseOffset(text)).toBe(normaliseOffsetBefore(text))
  })

  test.prop([
    fc.tuple(
      fc.string({ maxLength: 8 }),
      fc.string({ maxLength: 6, unit: fc.constantFrom(..."+-0123456789:Z٣".split("")) }),
    ),
  ])("answers as the regular expression did", ([head, tail]) => {
    expect(normaliseOffset(head + tail)).toBe(normaliseOffsetBefore(head + tail))
  })
})
