import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import ts from "typescript"

/**
 * `node scripts/longestFunctions.ts [--top 5]`: the longest functions of the production code (src/, without
 * the development-only src/simulators and src/dev), by lines from the function's first line to its last.
 * A function inside another is counted on its own as well, since a long closure is the thing to split.
 */

const root = fileURLToPath(new URL("../", import.meta.url))
const developmentOnly = new Set(["simulators", "dev"])

export interface FunctionSpan {
  readonly file: string
  readonly line: number
  readonly name: string
  readonly lines: number
}

const sourceFiles = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory())
      return developmentOnly.has(entry.name) && dir.endsWith("src") ? [] : sourceFiles(path)
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : []
  })

/** What a reader calls the function: its own name, or the name of what it is assigned to or passed as. */
const nameOf = (node: ts.Node, source: ts.SourceFile): string => {
  const named = node as ts.Node & { readonly name?: ts.Node }
  if (named.name !== undefined) return named.name.getText(source)
  if (ts.isConstructorDeclaration(node)) return "constructor"
  for (let parent = node.parent; parent !== undefined; parent = parent.parent) {
    if (
      ts.isVariableDeclaration(parent) ||
      ts.isPropertyAssignment(parent) ||
      ts.isPropertyDeclaration(parent)
    )
      return `${parent.name.getText(source)}${parent === node.parent ? "" : " (inner)"}`
    if (ts.isCallExpression(parent) && parent !== node.parent) continue
  }
  return "(anonymous)"
}

export const functionSpans = (file: string, text: string): ReadonlyArray<FunctionSpan> => {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)
  const spans: Array<FunctionSpan> = []
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && "body" in node && node.body !== undefined) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line
      spans.push({ file, line: first + 1, name: nameOf(node, source), lines: last - first + 1 })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return spans
}

/**
 * The `top` longest, one per named function: the generator body an `Effect.gen` wraps (`name (inner)`) is
 * the same function to a reader, so only the longer of the two is listed.
 */
export const longestFunctions = (top: number): ReadonlyArray<FunctionSpan> => {
  const longest = new Map<string, FunctionSpan>()
  for (const file of sourceFiles(join(root, "src")))
    for (const span of functionSpans(relative(root, file), readFileSync(file, "utf8"))) {
      const key = `${span.file} ${span.name.replace(/ \(inner\)$/, "")}`
      if ((longest.get(key)?.lines ?? 0) < span.lines) longest.set(key, span)
    }
  return [...longest.values()].sort((a, b) => b.lines - a.lines).slice(0, top)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { top: { type: "string", default: "5" } } })
  for (const span of longestFunctions(Number(values.top)))
    console.log(`${String(span.lines).padStart(4)}  ${span.file}:${span.line}  ${span.name}`)
}
