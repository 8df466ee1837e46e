import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { afterAll, describe, expect, it } from "vitest"
import { startCommand } from "../support/connectorCommand.ts"

const root = resolve(import.meta.dirname, "../..")
const dir = mkdtempSync(join(tmpdir(), "connector-cli-test-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const start = startCommand

const apiKey = "cli-test-api-key-0123456789abcdef"
const serverSection = `server:
  host: 127.0.0.1
  port: 0
  api_keys: ["${apiKey}"]
  cursor_secret: "cli-test-cursor-secret-0123456789abcdef"
`

describe("node src/main.ts", () => {
  it("serve with an invalid config exits 1 quickly, naming the bad key's path and the file", async () => {
    const file = join(dir, "bad.yaml")
    writeFileSync(
      file,
      `${serverSection}accounts:
  - id: 9342a527-27bc-4a67-af0d-9837377431f1
    integration: jira
    base_url: https://example.atlassian.net
    credentials: { email: someone@example.com }
`,
    )
    const result = await start(["serve", "--config", file]).ended(10_000)
    expect(result.code, result.stderr).toBe(1)
    expect(result.stderr).toContain(file)
    expect(result.stderr).toContain("accounts[0].credentials.api_token: missing")
    expect(result.ms).toBeLessThan(10_000)
  })

  it("serve with a missing config file exits 1 and says so", async () => {
    const file = join(dir, "does-not-exist.yaml")
    const result = await start(["serve", `--config=${file}`]).ended(10_000)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(file)
    expect(result.stderr).toContain("cannot read the file")
  })

  it("serve with a YAML syntax error exits 1 and reports it", async () => {
    const file = join(dir, "syntax.yaml")
    writeFileSync(file, `${serverSection}accounts: [\n`)
    const result = await start(["serve", "--config", file]).ended(10_000)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(file)
    expect(result.stderr).toContain("YAML: ")
  })

  it("serve takes the config path from CONNECTOR_CONFIG too", async () => {
    const file = join(dir, "bad-env.yaml")
    writeFileSync(
      file,
      `${serverSection}accounts:\n  - id: nope\n    integration: okta\n    credentials: {}\n`,
    )
    const result = await start(["serve"], { CONNECTOR_CONFIG: file }).ended(10_000)
    expect(result.code).toBe(1)
    expect(result.stderr).toContain(file)
    expect(result.stderr).toContain("accounts[0].id: must be a uuid")
  })

  it("serve with the example config answers /healthz, then stops with exit 0 on SIGTERM", async () => {
    // The shipped example, with the environment it references, on a free loopback port.
    const example = readFileSync(join(root, "config/connector.example.yaml"), "utf8")
    const adapted = example
      .replace(/^ {2}host: .*$/m, "  host: 127.0.0.1")
      .replace(/^ {2}port: .*$/m, "  port: 0")
      .replace(/^ {4}port: .*$/m, "    port: 0")
      // The example's accounts are enabled and their hosts unreachable here: the test disables one itself.
      .replace(/^( {4}integration: asana)$/m, "$1\n    enabled: false")
    expect(adapted).toMatch(/^ {4}integration: asana\n {4}enabled: false$/m)
    expect(adapted).toMatch(/^ {2}host: 127\.0\.0\.1$/m)
    expect(adapted).toMatch(/^ {2}port: 0$/m)
    const file = join(dir, "example.yaml")
    writeFileSync(file, adapted)
    const names = new Set([...example.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => m[1] ?? ""))
    const env = Object.fromEntries(
      [...names].map((name) => [name, `cli-test-${name}-0123456789abcdef0123456789`]),
    )

    const run = start(["serve", "--config", file], env)
    try {
      const listening = await run.logLine((line) => line.msg === "HTTP API listening", 20_000)
      expect(typeof listening.port).toBe("number")
      expect(listening.port).toBeGreaterThan(0)
      const base = `http://127.0.0.1:${listening.port}`
      // /healthz is on the management listener (loopback, its own port).
      const management = await run.logLine((line) => line.msg === "management listening", 20_000)
      const health = await fetch(`http://127.0.0.1:${management.port}/healthz`)
      expect(health.status).toBe(200)
      expect(await health.json()).toMatchObject({ status: "ok" })
      // /docs loads its page on the first request, not at start: served by the command as shipped, twice.
      for (let i = 0; i < 2; i++) {
        const docs = await fetch(`http://127.0.0.1:${management.port}/docs`)
        expect(docs.status).toBe(200)
        expect(docs.headers.get("content-type")).toContain("text/html")
        expect(await docs.text()).toContain("SIEM activity connector")
      }

      // The keys from the environment guard the API; a disabled account is not served.
      const activities = `${base}/unified/user-directory/activities?integrated_account_id=12007081-f05a-42a4-ad6f-26ba5e2a4cf8`
      expect((await fetch(activities)).status).toBe(401)
      const disabled = await fetch(activities, {
        headers: { authorization: `Bearer ${env.CONNECTOR_API_KEY}` },
      })
      expect(disabled.status).toBe(404)
      // No secret of the environment reaches the logs.
      for (const value of Object.values(env)) expect(run.output.stdout).not.toContain(value)

      run.child.kill("SIGTERM")
      const result = await run.ended(15_000)
      expect(result.code, result.stderr).toBe(0)
    } finally {
      if (run.child.exitCode === null && run.child.signalCode === null) run.child.kill("SIGKILL")
    }
  })

  it("an unknown command exits 2 with the usage", async () => {
    const result = await start(["frobnicate"]).ended(10_000)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("unknown command frobnicate")
    expect(result.stderr).toContain("usage:")
    expect(result.stderr).toContain("node src/main.ts serve")
  })

  it("an unknown option exits 2 with the usage", async () => {
    const result = await start(["serve", "--conifg", "x.yaml"]).ended(10_000)
    expect(result.code).toBe(2)
    expect(result.stderr).toContain("unknown option --conifg")
    expect(result.stderr).toContain("usage:")
  })

  it("help prints the usage on stdout and exits 0", async () => {
    const result = await start(["help"]).ended(10_000)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("usage:")
  })
})
