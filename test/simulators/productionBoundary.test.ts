import { readdirSync, readFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { describe, expect, it } from "vitest"
import { importsOf } from "../support/importsOf.ts"

// Simulators and the embedded-default run are development tools: the production contract must not depend on
// them, and the production image (Dockerfile) leaves src/simulators and src/dev out. These checks read the
// real import statements with the TypeScript parser, so an added import fails them.

const src = resolve(import.meta.dirname, "../../src")
const developmentOnly = ["simulators", "dev"].map((dir) => join(src, dir))
const productionLayers = ["providers", "pipeline", "http", "api", "activities"]

const target = (file: string, specifier: string) =>
  specifier.startsWith(".") ? resolve(dirname(file), specifier) : undefined

const isDevelopmentOnly = (path: string) =>
  developmentOnly.some((dir) => path === dir || path.startsWith(`${dir}/`))

/** Imports of `file` that reach development-only code, by any kind of import, type-only included. */
const developmentImports = (file: string, text: string): ReadonlyArray<string> =>
  importsOf(file, text).flatMap(({ specifier }) => {
    if (specifier === undefined) return ["import(<computed>)"]
    const path = target(file, specifier)
    return path !== undefined && isDevelopmentOnly(path) ? [specifier] : []
  })

const sourceFiles = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? sourceFiles(path) : entry.name.endsWith(".ts") ? [path] : []
  })

/** Every file `entry` loads at start: static runtime imports, followed transitively. */
const staticClosure = (entry: string): ReadonlySet<string> => {
  const seen = new Set<string>()
  const pending = [entry]
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    if (seen.has(file)) continue
    seen.add(file)
    for (const ref of importsOf(file, readFileSync(file, "utf8"))) {
      const path = ref.specifier === undefined ? undefined : target(file, ref.specifier)
      if (path !== undefined && ref.runtime && !ref.dynamic) pending.push(path)
    }
  }
  return seen
}

describe("simulators stay out of production", () => {
  it("no file under src/providers, pipeline, http, api or activities imports src/simulators or src/dev", () => {
    const files = productionLayers.flatMap((layer) => sourceFiles(join(src, layer)))
    expect(files.length).toBeGreaterThan(50)
    const violations = files.flatMap((file) =>
      developmentImports(file, readFileSync(file, "utf8")).map(
        (specifier) => `${relative(src, file)} → ${specifier}`,
      ),
    )
    expect(violations).toEqual([])
  })

  it("the check sees every kind of import", () => {
    const file = join(src, "providers", "example", "index.ts")
    const text = `
      import { startOktaSimulator } from "../../simulators/okta/OktaSimulator.ts"
      import type { ProviderSimulator } from "../../simulators/ProviderSimulator.ts"
      export { simulators } from "../../simulators/registry.ts"
      type Start = import("../../simulators/ProviderSimulator.ts").StartSimulator
      const later = () => import("../../dev/EmbeddedDefaults.ts")
      const computed = (name: string) => import(name)
      import { okta } from "../okta/index.ts"
      import { Effect } from "effect"
    `
    expect(developmentImports(file, text)).toEqual([
      "../../simulators/okta/OktaSimulator.ts",
      "../../simulators/ProviderSimulator.ts",
      "../../simulators/registry.ts",
      "../../simulators/ProviderSimulator.ts",
      "../../dev/EmbeddedDefaults.ts",
      "import(<computed>)",
    ])
  })

  it("the production entrypoint (src/main.ts) loads nothing from src/simulators or src/dev at start", () => {
    const loaded = staticClosure(join(src, "main.ts"))
    expect(loaded).toContain(join(src, "cli", "runConnector.ts"))
    expect(loaded).toContain(join(src, "providers", "okta", "streams", "systemLog.ts"))
    expect([...loaded].filter(isDevelopmentOnly).map((file) => relative(src, file))).toEqual([])
  })
})
