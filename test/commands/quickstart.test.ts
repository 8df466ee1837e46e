import { type ChildProcess, execFile, spawn } from "node:child_process"
import { readFileSync } from "node:fs"
import { createServer } from "node:net"
import { join, resolve } from "node:path"
import { promisify } from "node:util"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { IntegrationNames } from "../../src/providers/registry.ts"

/**
 * The README's quick start, run as a newcomer runs it: `npm start` with no config (the embedded defaults:
 * every simulator and a broker; here the test broker, through KAFKA_BROKERS, which the README names), then
 * the exact commands the README shows after it, from the project root. Only the listeners' ports are moved
 * (PORT and MANAGEMENT_PORT, as the README says), so the test does not depend on 8080 and 8081 being free.
 */
const root = resolve(import.meta.dirname, "../..")
const readme = readFileSync(join(root, "README.md"), "utf8")
const run = promisify(execFile)

/** The shell lines of the README's quick start, a continued line (`\`) joined with the next. */
const quickStartCommands = () => {
  const section = readme.slice(
    readme.indexOf("## Quick start"),
    readme.indexOf("\n## ", readme.indexOf("## Quick start") + 1),
  )
  const blocks = [...section.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1] ?? "")
  return blocks.flatMap((block) =>
    block
      .replace(/\\\n\s*/g, "")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line !== ""),
  )
}

const freePort = () =>
  new Promise<number>((ok) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => ok(typeof address === "object" && address ? address.port : 0))
    })
  })

const withoutComment = (line: string) => line.replace(/\s+#\s.*$/, "")

let ports = { api: 0, management: 0 }
let env: NodeJS.ProcessEnv = {}
let connector: ChildProcess
let output = ""

/** Ctrl-C as a terminal sends it: SIGINT to the whole process group (npm and the node it started). */
const ctrlC = (child: ChildProcess) => {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
  try {
    process.kill(-child.pid, "SIGINT")
  } catch {
    // The group has ended already.
  }
}

/** How the process ended: its exit code, or the signal that ended it. */
const exited = (child: ChildProcess, withinMs: number) =>
  new Promise<number | NodeJS.Signals>((ok, fail) => {
    if (child.exitCode !== null || child.signalCode !== null)
      return ok(child.exitCode ?? child.signalCode ?? 0)
    const timer = setTimeout(
      () => fail(new Error(`still running after ${withinMs} ms\n${output.slice(-3_000)}`)),
      withinMs,
    )
    child.once("exit", (code, signal) => {
      clearTimeout(timer)
      ok(code ?? signal ?? 0)
    })
  })

/** A README line as the newcomer types it, with the listeners' ports moved. */
const shell = (line: string) =>
  run(
    "bash",
    [
      "-c",
      withoutComment(line).replaceAll(":8080", `:${ports.api}`).replaceAll(":8081", `:${ports.management}`),
    ],
    {
      cwd: root,
      env,
      timeout: 60_000,
    },
  )

beforeAll(async () => {
  ports = { api: await freePort(), management: await freePort() }
  const { CONNECTOR_CONFIG: _none, ...inherited } = process.env
  env = {
    ...inherited,
    KAFKA_BROKERS: inject("kafkaBrokers"),
    PORT: String(ports.api),
    MANAGEMENT_PORT: String(ports.management),
  }
  const [install, start] = quickStartCommands()
  expect(install).toBe("npm ci")
  expect(withoutComment(start ?? "")).toBe("npm start")
  connector = spawn("npm", ["start"], { cwd: root, env, detached: true, stdio: ["ignore", "pipe", "pipe"] })
  connector.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk
  })
  connector.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    output += chunk
  })
  // Ready once every account's stream has started; then the records are "within seconds" away.
  const deadline = Date.now() + 120_000
  for (;;) {
    const ready = await fetch(`http://127.0.0.1:${ports.management}/readyz`).catch(() => undefined)
    if (ready?.status === 200) break
    if (connector.exitCode !== null || Date.now() > deadline)
      throw new Error(`npm start did not get ready\n${output.slice(-5_000)}`)
    await new Promise((r) => setTimeout(r, 500))
  }
}, 180_000)

afterAll(async () => {
  if (connector !== undefined) {
    ctrlC(connector)
    await exited(connector, 30_000).catch(
      () => connector.pid !== undefined && process.kill(-connector.pid, "SIGKILL"),
    )
  }
})

describe("the README's quick start", () => {
  const commands = quickStartCommands()
  const isTail = (line: string) => /^npm run (-s )?tail\b/.test(line)
  const tails = commands.filter((line) => isTail(line) && !line.includes("--follow"))
  const curls = commands.filter((line) => line.startsWith("curl"))

  it("shows the commands this test runs", () => {
    expect(tails.length).toBeGreaterThanOrEqual(2)
    expect(curls.length).toBeGreaterThanOrEqual(2)
    expect(commands.some((line) => line.startsWith("npm run tail -- --follow"))).toBe(true)
  })

  it("npm run tail, as written, prints activities as JSON lines within seconds", async () => {
    for (const line of tails) {
      let printed: string[] = []
      const deadline = Date.now() + 60_000
      while (printed.length === 0 && Date.now() < deadline) {
        // What npm prints of its own (`> package@version script`, `> command`) is not the command's output.
        printed = (await shell(line)).stdout.split("\n").filter((l) => l.trim() !== "" && !l.startsWith("> "))
        if (printed.length === 0) await new Promise((r) => setTimeout(r, 1_000))
      }
      expect(printed.length, line).toBeGreaterThan(0)
      // Piped through jq, the line prints one field of the value; otherwise the whole record.
      if (!line.includes("| jq")) {
        const record = JSON.parse(printed[0] ?? "{}") as {
          value?: { id?: string; action?: string; integration?: string }
        }
        expect(typeof record.value?.id, printed[0]).toBe("string")
        // The spec's output table gives Confluence's and Jira's activities no action; every other one has one.
        const withAction = !["confluence", "jira"].includes(record.value?.integration ?? "")
        expect(typeof record.value?.action, printed[0]).toBe(withAction ? "string" : "undefined")
      } else {
        expect(printed[0]).not.toBe("null")
      }
    }
  }, 150_000)

  it("npm run tail -- --follow prints, and Ctrl-C ends it", async () => {
    const line = commands.find((l) => l.startsWith("npm run tail -- --follow")) ?? ""
    const [program, ...args] = withoutComment(line).split(/\s+/)
    const follow = spawn(program ?? "npm", args, {
      cwd: root,
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    })
    let printed = ""
    follow.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
      printed += chunk
    })
    const deadline = Date.now() + 60_000
    while (!printed.includes('"value"') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200))
    expect(printed).toContain('"value"')
    ctrlC(follow)
    // Ended by the interrupt (npm passes the signal on), within seconds.
    expect([0, "SIGINT"]).toContain(await exited(follow, 10_000))
  }, 90_000)

  it("the curl lines answer as the README says: a page of login_failed, and the health report", async () => {
    const [activities, health] = curls
    const page = JSON.parse((await shell(activities ?? "")).stdout) as {
      result: Array<{ action: string }>
      next_cursor: string | null
    }
    expect(page.result.length).toBeGreaterThan(0)
    expect(page.result.length).toBeLessThanOrEqual(5)
    expect(page.result.every((a) => a.action === "login_failed")).toBe(true)
    const report = JSON.parse((await shell(health ?? "")).stdout) as { status: string; accounts: unknown[] }
    expect(["ok", "degraded"]).toContain(report.status)
    expect(report.accounts).toHaveLength(IntegrationNames.length)
  }, 60_000)

  it("Ctrl-C ends the connector cleanly", async () => {
    ctrlC(connector)
    expect([0, "SIGINT"]).toContain(await exited(connector, 30_000))
    expect(output).not.toMatch(/client is (closed|destroyed)/i)
  }, 40_000)
})
