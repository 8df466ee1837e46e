import { spawnSync } from "node:child_process"
import { createHash } from "node:crypto"
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { Either } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { parseConfig } from "../src/config/loadConfig.ts"
import { providers, registry } from "../src/providers/registry.ts"

// What the README and its docs/ pages, the example config's head and the licence say, checked against the code
// where a machine can.
const root = resolve(import.meta.dirname, "..")
const read = (path: string) => readFileSync(resolve(root, path), "utf8")
const readme = read("README.md")
const configuration = read("docs/configuration.md")
const development = read("docs/development.md")
const packageJson = JSON.parse(read("package.json")) as {
  license?: string
  engines: { node: string }
  devDependencies: Record<string, string>
}

/** A page's text from a heading to the next heading of the same or a higher level. */
const section = (heading: string, page = readme) => {
  const level = /^#+/.exec(heading)?.[0] ?? "##"
  const start = page.indexOf(`\n${heading}\n`)
  expect(start, heading).toBeGreaterThanOrEqual(0)
  const rest = page.slice(start + heading.length + 2)
  const end = rest.search(new RegExp(`^#{1,${level.length}} `, "m"))
  return end < 0 ? rest : rest.slice(0, end)
}

const dir = mkdtempSync(join(tmpdir(), "readme-test-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const exampleConfigScript = resolve(root, "scripts/exampleConfig.ts")
const runExampleConfig = (args: ReadonlyArray<string>) =>
  spawnSync(process.execPath, [exampleConfigScript, ...args], { cwd: root, encoding: "utf8" })

describe("docs/configuration.md: Running against real providers", () => {
  const steps =
    /```sh\n([\s\S]*?)```/.exec(section("## Running against real providers", configuration))?.[1] ?? ""

  it("its first steps, followed literally, give a config that validates", () => {
    // `npm run example-config -- ARGS`, with the output moved to a scratch file.
    const args = /^npm run example-config -- (.+?)\s+#/m.exec(steps)?.[1]?.split(/\s+/) ?? []
    expect(args).toContain("--out")
    const file = join(dir, "connector.yaml")
    const out = args.indexOf("--out")
    const written = runExampleConfig(args.map((arg, i) => (i === out + 1 ? file : arg)))
    expect(written.stderr).toBe("")
    expect(written.status).toBe(0)

    // `export A=… B=… C=…`: the variables the steps set, each given a value long enough for any key.
    const exported = [...(/^export (.+?)\s+#/m.exec(steps)?.[1] ?? "").matchAll(/([A-Z_][A-Z0-9_]*)=/g)].map(
      (m) => m[1] ?? "",
    )
    expect(exported).toContain("CONNECTOR_API_KEY")
    const env = Object.fromEntries(exported.map((name) => [name, `${name}-value-0123456789abcdef0123456789`]))
    const parsed = parseConfig(file, readFileSync(file, "utf8"), env)
    if (Either.isLeft(parsed)) throw new Error(parsed.left.message)
    expect(parsed.right.accounts.length).toBeGreaterThan(0)

    // The whole example with only those variables set is what the README warns against.
    const whole = parseConfig("example", read("config/connector.example.yaml"), env)
    expect(Either.isLeft(whole)).toBe(true)
  })
})

describe("scripts/exampleConfig.ts --only", () => {
  it("writes the accounts of the integrations named, never over an existing file, and refuses unknown names", () => {
    const file = join(dir, "two.yaml")
    expect(runExampleConfig(["--only", "zoom,okta", "--out", file]).status).toBe(0)
    const text = readFileSync(file, "utf8")
    expect([...text.matchAll(/^ {4}integration: (\w+)$/gm)].map((m) => m[1])).toEqual(["okta", "zoom"])

    writeFileSync(file, "mine")
    const again = runExampleConfig(["--only", "okta", "--out", file])
    expect(again.status).toBe(2)
    expect(readFileSync(file, "utf8")).toBe("mine")

    const unknown = runExampleConfig(["--only", "okta,octa", "--out", join(dir, "unknown.yaml")])
    expect(unknown.status).toBe(2)
    expect(unknown.stderr).toContain("unknown integration octa")
    // Without --out it would replace the shipped example with a partial one.
    expect(runExampleConfig(["--only", "okta"]).status).toBe(2)
  })
})

describe("README", () => {
  it("says what the tests and the install need: Chromium, and the Node.js 24 that npm ci brings", () => {
    const needs = /^Needs: [\s\S]*?\n\n/m.exec(section("## Quick start"))?.[0] ?? ""
    expect(needs).toContain("apt-get install chromium")
    expect(needs).toContain("`node` devDependency")
    const major = /^(\d+)\./.exec(packageJson.devDependencies.node ?? "")?.[1]
    expect(packageJson.engines.node).toContain(`>=${major}`)
    expect(needs).toContain(`Node.js ${major}`)
    expect(section("## Test")).toContain("apt-get install chromium")
    // The /docs test drives the browser the README names.
    expect(read("test/api/docs.test.ts")).toContain("command -v chromium")
  })

  it("names in its error example (docs/configuration.md) only environment variables the example config uses", () => {
    const example = read("config/connector.example.yaml")
    const named = [...configuration.matchAll(/environment variable ([A-Z_][A-Z0-9_]*) is not set/g)].map(
      (m) => m[1],
    )
    expect(named.length).toBeGreaterThan(0)
    for (const name of named) expect(example, String(name)).toContain(`\${${name}}`)
  })

  it("has one status row per registered integration, and the detailed table in docs/providers.md the same rows", () => {
    const integrations = (table: string) =>
      table
        .split("\n")
        .filter((line) => line.startsWith("| ") && !line.startsWith("| Integration"))
        .map((line) => /^\| (\w+)/.exec(line)?.[1]?.toLowerCase())
    const front = integrations(readme.slice(0, readme.indexOf("\n## ")))
    expect([...front].sort()).toEqual([...registry.names].sort())
    expect(integrations(section("## Integrations", read("docs/providers.md")))).toEqual(front)
  })

  it("lists every provider simulator under Where things live (docs/development.md)", () => {
    const tree = section("## Where things live", development)
    const simulators = /^ {4}<name>\/[\s\S]*?\)$/m.exec(tree)?.[0] ?? ""
    const folders = readdirSync(resolve(root, "src/simulators"), { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== "kit")
      .map((entry) => entry.name)
    expect(folders.length).toBe(registry.names.length)
    for (const name of folders) expect(simulators, name).toMatch(new RegExp(`\\b${name}\\b`))
  })
})

describe("config/connector.example.head.yaml", () => {
  it("claims no integration unbuilt: every registered one streams", () => {
    for (const name of registry.names) expect(providers[name].streams.length, name).toBeGreaterThan(0)
    const head = read("config/connector.example.head.yaml")
    expect(head).not.toMatch(/501|Not Implemented|built so far/)
  })
})

describe("LICENSE", () => {
  it("is Apache-2.0, as package.json says: the standard text under the project's copyright line", () => {
    expect(packageJson.license).toBe("Apache-2.0")
    const license = read("LICENSE")
    expect(license.split("\n")[0]).toBe("Copyright 2026 the SIEM activity connector authors")
    const text = license.slice(license.indexOf("                                 Apache License"))
    // sha256 of https://www.apache.org/licenses/LICENSE-2.0.txt from its first line on.
    expect(createHash("sha256").update(text).digest("hex")).toBe(
      "c71d239df91726fc519c6eb72d318ec65820627232b2f796219e87dcf35d0ab4",
    )
  })
})
