import { execFileSync } from "node:child_process"
import { randomUUID } from "node:crypto"
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import { fileURLToPath } from "node:url"
import { parseArgs } from "node:util"

/**
 * `npm run new-provider -- <name>`: a 14th provider in every place one must be, from scripts/provider-template/
 * (the folder layout every src/providers/<name>/ follows). It writes the provider's folder, its simulator, a
 * fixture page, and adds the name to the lists that are keyed by integration: the production and simulator
 * registries, the conformance profiles, the capability test's expectations and the spec copy's matrix. What it
 * writes is a working provider that passes the conformance suite; every `TODO(<name>)` marks what the real
 * provider's documentation must replace. `--dry-run` lists the files without writing; `--root` writes into
 * another checkout (the generator's own test uses a temporary copy).
 */

const templateRoot = fileURLToPath(new URL("provider-template/", import.meta.url))

export interface Plan {
  readonly created: ReadonlyArray<{ readonly path: string; readonly text: string }>
  readonly edited: ReadonlyArray<{ readonly path: string; readonly text: string }>
}

interface Names {
  /** The registry key and config `integration` value: `acme`. */
  readonly name: string
  /** Identifiers and the spec's display name: `Acme`. */
  readonly Name: string
  /** Environment variable prefix: `ACME`. */
  readonly NAME: string
}

const namesOf = (name: string): Names => ({
  name,
  Name: `${name[0]?.toUpperCase() ?? ""}${name.slice(1)}`,
  NAME: name.toUpperCase(),
})

const fill = (text: string, names: Names) =>
  text
    .replaceAll("__name__", names.name)
    .replaceAll("__Name__", names.Name)
    .replaceAll("__NAME__", names.NAME)
    .replaceAll("__uuid__", randomUUID())

const templateFiles = (dir: string): ReadonlyArray<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    return entry.isDirectory() ? templateFiles(path) : entry.name.endsWith(".tmpl") ? [path] : []
  })

const lower = (text: string) => text.toLowerCase()

/** Inserts `line` among the single-line imports whose specifier starts like its own, in biome's order. */
const insertImport = (text: string, line: string): string => {
  const specifierOf = (l: string) => /from "([^"]+)"$/.exec(l)?.[1]
  const specifier = specifierOf(line) ?? ""
  const prefix = specifier.slice(0, specifier.lastIndexOf("/", specifier.lastIndexOf("/") - 1) + 1)
  const lines = text.split("\n")
  const peers = lines.flatMap((l, index) => {
    const s = specifierOf(l)
    return l.startsWith("import ") && s?.startsWith(prefix) ? [{ index, s }] : []
  })
  const last = peers.at(-1)
  if (last === undefined) throw new Error(`no import like ${specifier} to put it beside`)
  const after = peers.find((peer) => lower(peer.s) > lower(specifier))
  lines.splice(after?.index ?? last.index + 1, 0, line)
  return lines.join("\n")
}

/**
 * Inserts `entry` into the object literal opened on the line containing `opener`, among its two-space-indented
 * keys in alphabetical order (every integration-keyed list is kept that way).
 */
const insertKeyed = (text: string, opener: string, name: string, entry: string): string => {
  const lines = text.split("\n")
  const start = lines.findIndex((line) => line.includes(opener))
  if (start < 0) throw new Error(`no "${opener}" to add ${name} to`)
  for (let index = start + 1; index < lines.length; index++) {
    const line = lines[index] ?? ""
    const key = /^ {2}([a-z][a-z0-9]*)\b/.exec(line)?.[1]
    if ((key !== undefined && key > name) || /^\}/.test(line)) {
      lines.splice(index, 0, entry)
      return lines.join("\n")
    }
    if (key === name) throw new Error(`${name} is already listed after "${opener}"`)
  }
  throw new Error(`the list after "${opener}" never closes`)
}

/** A comma-separated list of display names with `Name` added, sorted as the spec sorts them. */
const addToNameList = (list: string, Name: string) =>
  [...list.split(",").map((n) => n.trim()), Name].sort((a, b) => lower(a).localeCompare(lower(b))).join(", ")

const editors = (names: Names): Record<string, (text: string) => string> => {
  const { name, Name } = names
  return {
    "src/providers/registry.ts": (text) =>
      insertKeyed(
        insertImport(text, `import { ${name} } from "./${name}/index.ts"`),
        "IntegrationRegistry.of({",
        name,
        `  ${name},`,
      ),
    "src/simulators/registry.ts": (text) =>
      insertKeyed(
        insertImport(text, `import { start${Name}Simulator } from "./${name}/${Name}Simulator.ts"`),
        "export const simulators",
        name,
        `  ${name}: start${Name}Simulator,`,
      ),
    "test/providers/conformance/profiles.ts": (text) =>
      insertKeyed(
        insertImport(
          text,
          `import { start${Name}Simulator } from "../../../src/simulators/${name}/${Name}Simulator.ts"`,
        ),
        "export const profiles",
        name,
        [
          `  ${name}: profile({`,
          `    start: (historySize) => start${Name}Simulator({ seed: SEED, historySize }),`,
          `    refused: () => ({ access_token: "revoked-${name}-token" }),`,
          `    refusalSays: "Invalid access token",`,
          `    malformed: (sim, now) => sim.injectMalformed(now),`,
          `    rateLimit: (sim, waitMs) => {`,
          `      sim.forceRateLimited(1, waitMs)`,
          `      return waitMs`,
          `    },`,
          `  }),`,
        ].join("\n"),
      ),
    "test/providers/capabilities.test.ts": (text) =>
      insertKeyed(
        insertKeyed(
          text,
          "const defaultBaseUrls",
          name,
          `  // TODO(${name}): its public API root, if it has one.\n  ${name}: undefined,`,
        ),
        "const credentialForms:",
        name,
        `  ${name}: [{ access_token: "${name}-access-token" }],`,
      ),
    // The checked-in spec names the integrations and which filters each supports; the template's stream
    // pushes `created_at` down, so the provider is added to that row as well.
    "test/fixtures/spec/list-activities.md": (text) => {
      const listed = text.replace(
        /^Integrations \((\d+)\): (.+)\.$/m,
        (_, count: string, list: string) =>
          `Integrations (${Number(count) + 1}): ${addToNameList(list, Name)}.`,
      )
      const row = listed.replace(
        /^(\| `created_at` \|.*\| )([^|(]+?)( \(not [^)]*\))? \|$/m,
        (_, head: string, list: string, not: string | undefined) =>
          `${head}${addToNameList(list, Name)}${not ?? ""} |`,
      )
      if (row === listed || listed === text)
        throw new Error("the spec copy's integration list or created_at row moved")
      return row
    },
    // The source tree in docs/development.md names every simulator (test/readme.test.ts checks it).
    "docs/development.md": (text) => {
      const lines = text.split("\n")
      const start = lines.findIndex((line) => line.startsWith("    <name>/ "))
      const end = lines.findIndex((line, index) => index >= start && line.trimEnd().endsWith(")"))
      if (start < 0 || end < 0)
        throw new Error("docs/development.md: no simulator list under Where things live")
      lines[end] = `${(lines[end] ?? "").trimEnd().slice(0, -1)}; ${name}: audit events)`
      return lines.join("\n")
    },
  }
}

/** What adding `name` writes, computed from the checkout at `root` without touching it. */
export const planProvider = (root: string, name: string): Plan => {
  if (!/^[a-z][a-z0-9]*$/.test(name))
    throw new Error(`"${name}" is not a registry name (lowercase letters, digits)`)
  const names = namesOf(name)
  if (existsSync(join(root, "src/providers", name))) throw new Error(`src/providers/${name} already exists`)
  const created = templateFiles(templateRoot).map((file) => ({
    path: fill(relative(templateRoot, file), names).replace(/\.tmpl$/, ""),
    text: fill(readFileSync(file, "utf8"), names),
  }))
  const edited = Object.entries(editors(names)).map(([path, edit]) => ({
    path,
    text: edit(readFileSync(join(root, path), "utf8")),
  }))
  return { created, edited }
}

/** Writes the plan, then regenerates the example config from the registry that now lists the provider. */
export const writePlan = (root: string, plan: Plan): void => {
  for (const { path, text } of [...plan.created, ...plan.edited]) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  // A child process: this one has already loaded the registry without the new provider.
  execFileSync(process.execPath, [join(root, "scripts/exampleConfig.ts")], { cwd: root, stdio: "inherit" })
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { "dry-run": { type: "boolean" }, root: { type: "string" } },
  })
  const [name] = positionals
  if (name === undefined || positionals.length !== 1) {
    console.error("usage: npm run new-provider -- <name> [--dry-run] [--root <checkout>]")
    process.exit(2)
  }
  const root = resolve(values.root ?? fileURLToPath(new URL("../", import.meta.url)))
  const plan = planProvider(root, name)
  for (const { path } of plan.created) console.log(`create ${path}`)
  for (const { path } of plan.edited) console.log(`edit   ${path}`)
  console.log("edit   config/connector.example.yaml (npm run example-config)")
  if (values["dry-run"]) process.exit(0)
  writePlan(root, plan)
  console.log(
    `\nNext: replace every TODO(${name}) with the provider's documented facts; add its row to the README's status ` +
      "table and to the credentials table in docs/configuration.md; run npm run typecheck, npx vitest run test/providers.",
  )
}
