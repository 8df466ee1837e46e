import { readFileSync, writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { registry } from "../src/providers/registry.ts"

const root = new URL("../", import.meta.url)
export const exampleConfigPath = fileURLToPath(new URL("config/connector.example.yaml", root))

/**
 * config/connector.example.yaml as the registry makes it: the shared head, then each registered integration's
 * `src/providers/<name>/example.yaml`, so a new provider's folder brings its example account with it.
 */
export const exampleConfig = (): string => {
  const head = readFileSync(new URL("config/connector.example.head.yaml", root), "utf8")
  // Each example is a one-item YAML list on its own, indented here under `accounts:`.
  const accounts = registry.names.map((name) =>
    readFileSync(new URL(`src/providers/${name}/example.yaml`, root), "utf8")
      .trimEnd()
      .split("\n")
      .map((line) => (line === "" ? line : `  ${line}`))
      .join("\n"),
  )
  return `${head}${accounts.join("\n\n")}\n`
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(exampleConfigPath, exampleConfig())
  console.log(`wrote ${exampleConfigPath}`)
}
