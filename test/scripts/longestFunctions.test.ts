import { describe, expect, it } from "vitest"
import { functionSpans, longestFunctions } from "../../scripts/longestFunctions.ts"

describe("scripts/longestFunctions.ts", () => {
  it("measures each function from its first line to its last, named as a reader names it", () => {
    const text = [
      "export const run = (n: number) =>", // 1
      "  Effect.gen(function* () {", // 2
      "    const step = () => {", // 3
      "      return n", // 4
      "    }", // 5
      "    return step()", // 6
      "  })", // 7
      "class Store {", // 8
      "  get(key: string) { return key }", // 9
      "}", // 10
      "function plain() {}", // 11
    ].join("\n")
    expect(functionSpans("x.ts", text).map(({ name, line, lines }) => [name, line, lines])).toEqual([
      ["run", 1, 7],
      ["run (inner)", 2, 6],
      ["step", 3, 3],
      ["get", 9, 1],
      ["plain", 11, 1],
    ])
  })

  it("lists production code only, longest first, one entry per function", () => {
    const top = longestFunctions(5)
    expect(top).toHaveLength(5)
    expect(
      top.every((span) => span.file.startsWith("src/") && !/^src\/(simulators|dev)\//.test(span.file)),
    ).toBe(true)
    expect(top.map((span) => span.lines)).toEqual([...top.map((span) => span.lines)].sort((a, b) => b - a))
    expect(new Set(top.map((span) => `${span.file} ${span.name.replace(" (inner)", "")}`)).size).toBe(5)
  })
})
