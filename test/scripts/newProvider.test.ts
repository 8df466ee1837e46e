import { execFile } from "node:child_process"
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { promisify } from "node:util"
import { afterAll, describe, expect, it } from "vitest"
import { planProvider } from "../../scripts/newProvider.ts"

// The generator is checked twice: its plan (the files a new provider takes, computed without writing), and a
// real run into a temporary copy of the repository, where the copy must typecheck and the conformance suite,
// whose list of providers nobody edited, must run the new provider and pass.

const root = resolve(import.meta.dirname, "../..")
const run = promisify(execFile)

describe("npm run new-provider -- <name>", () => {
  it("plans the provider's folder in the template's layout, its simulator and fixture, and every list it joins", () => {
    const plan = planProvider(root, "acme")
    expect(plan.created.map((file) => file.path).sort()).toEqual([
      "src/providers/acme/AcmeAuditEvent.ts",
      "src/providers/acme/credentials.ts",
      "src/providers/acme/example.yaml",
      "src/providers/acme/index.ts",
      "src/providers/acme/streams/auditEvents.ts",
      "src/providers/acme/toActivity.ts",
      "src/simulators/acme/AcmeSimulator.ts",
      "test/fixtures/acme/audit_events/page.json",
    ])
    const edited = Object.fromEntries(plan.edited.map((file) => [file.path, file.text]))
    expect(Object.keys(edited).sort()).toEqual([
      "docs/development.md",
      "src/providers/registry.ts",
      "src/simulators/registry.ts",
      "test/fixtures/spec/list-activities.md",
      "test/providers/capabilities.test.ts",
      "test/providers/conformance/profiles.ts",
    ])
    // Each list gains the name once, in alphabetical place (before asana, the first today).
    expect(edited["src/providers/registry.ts"]).toMatch(/\n {2}acme,\n {2}asana,\n/)
    expect(edited["src/simulators/registry.ts"]).toMatch(/\n {2}acme: startAcmeSimulator,\n {2}asana:/)
    expect(edited["test/fixtures/spec/list-activities.md"]).toMatch(/^Integrations \(14\): Acme, Asana, /m)
    // Every placeholder filled.
    expect(
      plan.created.filter((file) => /__\w+__/.test(file.path + file.text)).map((file) => file.path),
    ).toEqual([])
  })

  it("refuses a name already taken, or one that is no registry key", () => {
    expect(() => planProvider(root, "okta")).toThrow("src/providers/okta already exists")
    expect(() => planProvider(root, "Acme-2")).toThrow("is not a registry name")
  })

  const copy = mkdtempSync(join(tmpdir(), "new-provider-"))
  afterAll(() => rmSync(copy, { recursive: true, force: true }))

  it("writes a provider that typechecks and passes the conformance suite, no list edited by hand", async () => {
    for (const path of [
      "src",
      "test",
      "scripts",
      "config",
      "package.json",
      "tsconfig.json",
      "vitest.config.ts",
      "README.md",
      "docs",
    ])
      cpSync(join(root, path), join(copy, path), { recursive: true })
    symlinkSync(join(root, "node_modules"), join(copy, "node_modules"))
    const node = (args: ReadonlyArray<string>) =>
      run(process.execPath, args, {
        cwd: copy,
        // The inner vitest must not take this run's worker settings for its own.
        env: Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith("VITEST"))),
        maxBuffer: 16 * 1024 * 1024,
      })

    const generated = await node(["scripts/newProvider.ts", "acme"])
    expect(generated.stdout).toContain("create src/providers/acme/index.ts")

    // The files that name the provider, and everything they import: the whole project would be the same
    // answer, slower.
    writeFileSync(
      join(copy, "tsconfig.new-provider.json"),
      JSON.stringify({
        extends: "./tsconfig.json",
        include: [],
        files: [
          "src/providers/registry.ts",
          "src/simulators/registry.ts",
          "test/providers/conformance/conformance.test.ts",
          "test/providers/capabilities.test.ts",
          "scripts/exampleConfig.ts",
        ],
      }),
    )
    await node(["node_modules/typescript/bin/tsc", "--noEmit", "-p", "tsconfig.new-provider.json"])

    const report = join(copy, "report.json")
    await node([
      "node_modules/vitest/vitest.mjs",
      "run",
      "--project",
      "unit",
      // As `npm run test:unit` runs them: the files share a process (the module graph is loaded once).
      "--no-isolate",
      "test/providers/conformance",
      "test/providers/capabilities.test.ts",
      "test/providers/fixtures.test.ts",
      // The lists the generator joins that other tests read: docs/development.md's simulators, the example config.
      "test/readme.test.ts",
      "test/config/loadConfig.test.ts",
      "-t",
      "acme|Where things live|connector.example.yaml",
      "--reporter=json",
      `--outputFile=${report}`,
    ])
    const results = (
      JSON.parse(readFileSync(report, "utf8")) as {
        testResults: Array<{ assertionResults: Array<{ fullName: string; status: string }> }>
      }
    ).testResults.flatMap((file) => file.assertionResults.filter((test) => test.status !== "skipped"))
    const conformance = results.filter((test) => test.fullName.startsWith("acme conformance"))
    // Pages to the end, its created_at filter, 401, a malformed record, the refused-cursor check, a 429.
    expect(conformance.map((test) => test.status)).toEqual(Array(6).fill("passed"))
    expect(results.filter((test) => test.status !== "passed")).toEqual([])
    const names = results.map((test) => test.fullName)
    expect(names).toContain(
      "README lists every provider simulator under Where things live (docs/development.md)",
    )
    expect(names.filter((name) => name.startsWith("config/connector.example.yaml")).length).toBeGreaterThan(2)
    expect(names.filter((name) => name.startsWith("provider capabilities match the spec acme ")).length).toBe(
      10,
    )
    expect(names.filter((name) => name.includes("'acme'/'audit_events'/'page.json'"))).toHaveLength(1)
  }, 240_000)
})
