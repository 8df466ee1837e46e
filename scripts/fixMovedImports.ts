import { execFileSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import { dirname, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"

/**
 * `node scripts/fixMovedImports.ts --since <commit> <file>...`: rewrites the relative imports of the files
 * named, which were written against the tree of `<commit>`, to the files' and their targets' places now.
 * For a branch that edited files another branch moved (the provider template moved every stream into
 * streams/): merge with `-X find-renames=30%`, take the branch's side of each conflicted file
 * (`git checkout --theirs`), then run this on those files. The moves are git's own rename detection between
 * `<commit>` and HEAD. Hand-written: TypeScript's rename refactoring lives in an editor's language service,
 * and the job is a path computation over git's rename list.
 */

/** Old path → new path, both relative to the repository root. */
export type Moves = ReadonlyMap<string, string>

const specifierPattern = /(from\s+|import\s*\(\s*|import\s+)(["'])(\.{1,2}\/[^"']+)\2/g

/**
 * `text`, the content of `fileNow` as it was written at `fileThen` (the same path when it did not move), with
 * each relative specifier pointing where its target is now.
 */
export const rewriteSpecifiers = (text: string, fileNow: string, fileThen: string, moves: Moves): string =>
  text.replace(specifierPattern, (whole, lead: string, quote: string, specifier: string) => {
    const target = relative(".", resolve(dirname(fileThen), specifier))
    const now = moves.get(target) ?? target
    let rewritten = relative(dirname(fileNow), now)
    if (!rewritten.startsWith(".")) rewritten = `./${rewritten}`
    return rewritten === specifier ? whole : `${lead}${quote}${rewritten}${quote}`
  })

/** git's renames between `since` and HEAD. */
export const movesSince = (since: string): Moves =>
  new Map(
    execFileSync("git", ["diff", "-M30%", "--name-status", "--diff-filter=R", since, "HEAD"], {
      encoding: "utf8",
    })
      .trim()
      .split("\n")
      .filter((line) => line !== "")
      .map((line) => {
        const [, from = "", to = ""] = line.split("\t")
        return [from, to] as const
      }),
  )

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { since: { type: "string" } },
  })
  if (values.since === undefined || positionals.length === 0) {
    console.error("usage: node scripts/fixMovedImports.ts --since <commit> <file>...")
    process.exit(2)
  }
  const moves = movesSince(values.since)
  const movedFrom = new Map([...moves].map(([from, to]) => [to, from]))
  for (const file of positionals) {
    const path = relative(".", resolve(file))
    const text = readFileSync(path, "utf8")
    const fixed = rewriteSpecifiers(text, path, movedFrom.get(path) ?? path, moves)
    if (fixed !== text) {
      writeFileSync(path, fixed)
      console.log(`fixed ${path}`)
    }
  }
}
