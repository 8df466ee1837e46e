import { execFileSync } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { publishedSchemas } from "../src/domain/PublishedSchemas.ts"

const root = new URL("../", import.meta.url)

/** Every published JSON Schema as committed: path under the repository → file text. */
export const schemaFiles = (): Record<string, string> =>
  Object.fromEntries(
    Object.values(publishedSchemas).map(({ file, document }) => [
      `schemas/${file}`,
      `${JSON.stringify(document, null, 2)}\n`,
    ]),
  )

/**
 * `npm run schemas` rewrites schemas/ from the record schemas in src/domain, formatted as the linter wants
 * (test/schemas.test.ts compares the documents, not the layout); commit what changes.
 */
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const files = schemaFiles()
  for (const [path, text] of Object.entries(files)) {
    const target = fileURLToPath(new URL(path, root))
    mkdirSync(dirname(target), { recursive: true })
    writeFileSync(target, text)
  }
  const biome = fileURLToPath(new URL("node_modules/.bin/biome", root))
  execFileSync(biome, ["format", "--write", ...Object.keys(files)], {
    cwd: fileURLToPath(root),
    stdio: "ignore",
  })
  for (const path of Object.keys(files)) console.log(`wrote ${path}`)
}
