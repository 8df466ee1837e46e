import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"
import { registry } from "../src/providers/registry.ts"

const root = new URL("../", import.meta.url)
export const exampleConfigPath = fileURLToPath(new URL("config/connector.example.yaml", root))

/**
 * config/connector.example.yaml as the registry makes it: the shared head, then each registered integration's
 * `src/providers/<name>/example.yaml`, so a new provider's folder brings its example account with it. With
 * `only`, the accounts of those integrations alone: every `${NAME}` of a config must be set, a disabled
 * account's too, so a config of one's own keeps only the accounts one uses.
 */
export const exampleConfig = (only: ReadonlyArray<string> = registry.names): string => {
  const head = readFileSync(new URL("config/connector.example.head.yaml", root), "utf8")
  // Each example is a one-item YAML list on its own, indented here under `accounts:`.
  const accounts = registry.names
    .filter((name) => only.includes(name))
    .map((name) =>
      readFileSync(new URL(`src/providers/${name}/example.yaml`, root), "utf8")
        .trimEnd()
        .split("\n")
        .map((line) => (line === "" ? line : `  ${line}`))
        .join("\n"),
    )
  return `${head}${accounts.join("\n\n")}\n`
}

/**
 * `npm run example-config` rewrites the example; `-- --only okta,zoom --out config/connector.yaml` writes a
 * config of one's own with those integrations' example accounts (never over an existing file).
 */
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { only: { type: "string" }, out: { type: "string" } } })
  const fail = (message: string) => {
    console.error(`example-config: ${message}`)
    process.exit(2)
  }
  const names: ReadonlyArray<string> = registry.names
  const only = values.only
    ?.split(",")
    .map((name) => name.trim())
    .filter(Boolean)
  const unknown = only?.filter((name) => !names.includes(name)) ?? []
  if (unknown.length > 0) fail(`unknown integration ${unknown.join(", ")}; one of ${names.join(", ")}`)
  if (only !== undefined && values.out === undefined)
    fail("--only writes a config of your own: give --out PATH")
  const out = values.out ?? exampleConfigPath
  try {
    writeFileSync(out, exampleConfig(only), values.out === undefined ? {} : { flag: "wx" })
  } catch (error) {
    fail(`cannot write ${out}: ${(error as Error).message}`)
  }
  console.log(`wrote ${out}`)
}
