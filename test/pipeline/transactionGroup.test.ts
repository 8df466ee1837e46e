import { fc, test } from "@fast-check/vitest"
import { describe, expect, it } from "vitest"
import { pageWeight, transactionGroup, type WaitingPage } from "../../src/pipeline/transactionGroup.ts"

const page = (accountId: string, weight: number): WaitingPage => ({ accountId, weight })

describe("transactionGroup", () => {
  it("takes its own page first, then the waiting pages in the order they came, within the budget", () => {
    const [a, b, c, d] = [page("a", 40), page("b", 30), page("c", 50), page("d", 10)]
    expect(transactionGroup(b, [a, b, c, d], 100, () => false)).toEqual([b, a])
    expect(transactionGroup(a, [a, b, c, d], 200, () => false)).toEqual([a, b, c, d])
  })

  it("a page over the budget alone still goes: its own turn takes it", () => {
    const big = page("a", 500)
    expect(transactionGroup(big, [big, page("b", 1)], 100, () => false)).toEqual([big])
  })

  it("a page that must go alone is taken by no other turn, and takes none in its own", () => {
    const [a, b, c] = [page("a", 1), page("b", 1), page("c", 1)]
    const alone = (p: WaitingPage) => p.accountId === "b"
    expect(transactionGroup(a, [a, b, c], 100, alone)).toEqual([a, c])
    expect(transactionGroup(b, [a, b, c], 100, alone)).toEqual([b])
  })

  test.prop([
    fc.array(fc.record({ accountId: fc.uuid(), weight: fc.nat(1_000) }), { minLength: 1, maxLength: 30 }),
    fc.nat(5_000),
    fc.nat(),
  ])(
    "always holds its own page first, each page once, within the budget beyond the first",
    (pages, budget, pick) => {
      const own = pages[pick % pages.length] as WaitingPage
      const group = transactionGroup(own, pages, budget, () => false)
      expect(group[0]).toBe(own)
      expect(new Set(group).size).toBe(group.length)
      if (group.length > 1) expect(group.reduce((sum, p) => sum + p.weight, 0)).toBeLessThanOrEqual(budget)
    },
  )
})

describe("pageWeight", () => {
  it("adds the lengths of the values, strings and buffers, and nothing for a record without one", () => {
    const messages = [
      { message: { value: "abc" } },
      { message: { value: Buffer.from("hello") } },
      { message: { value: null } },
      { message: {} },
    ]
    expect(pageWeight(messages)).toBe(8)
  })
})
