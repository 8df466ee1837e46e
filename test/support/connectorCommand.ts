import { type ChildProcessByStdio, spawn } from "node:child_process"
import { resolve } from "node:path"
import type { Readable } from "node:stream"

/**
 * The shipped command as users run it: `node src/main.ts ...args` from the project root, in its own process,
 * with its output collected. Tests of the commands go through this, never through layers built in the test.
 */

const root = resolve(import.meta.dirname, "../..")

/** The test runner's environment, minus a config path that would change which file the CLI loads. */
const { CONNECTOR_CONFIG: _ignored, ...withoutConfigPath } = process.env

export type Child = ChildProcessByStdio<null, Readable, Readable>

export interface Ended {
  readonly code: number | null
  readonly signal: NodeJS.Signals | null
  readonly stdout: string
  readonly stderr: string
  readonly ms: number
}

export interface RunningCommand {
  readonly child: Child
  readonly output: { stdout: string; stderr: string }
  /** Resolves when the process exits; kills it (and fails) if it takes longer than `withinMs`. */
  readonly ended: (withinMs: number) => Promise<Ended>
  /** The first JSON log line on stdout (from the start) that `match`es. */
  readonly logLine: (
    match: (line: Record<string, unknown>) => boolean,
    withinMs: number,
  ) => Promise<Record<string, unknown>>
  /** SIGKILL unless it has ended already: for `finally`. */
  readonly stop: () => void
}

const jsonLines = (text: string) =>
  text.split("\n").flatMap((line) => {
    try {
      const parsed: unknown = JSON.parse(line)
      return typeof parsed === "object" && parsed !== null ? [parsed as Record<string, unknown>] : []
    } catch {
      return []
    }
  })

export const startCommand = (
  args: ReadonlyArray<string>,
  env: NodeJS.ProcessEnv = {},
  /** Sees each line of stdout as it comes. */
  onLine?: (line: string) => void,
): RunningCommand => {
  const child: Child = spawn(process.execPath, ["src/main.ts", ...args], {
    cwd: root,
    env: { ...withoutConfigPath, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  })
  const started = performance.now()
  const output = { stdout: "", stderr: "" }
  let partial = ""
  child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
    output.stdout += chunk
    if (onLine === undefined) return
    const lines = (partial + chunk).split("\n")
    partial = lines.pop() ?? ""
    for (const line of lines) onLine(line)
  })
  child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
    output.stderr += chunk
  })
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((ok) =>
    child.once("close", (code, signal) => ok({ code, signal })),
  )
  const describe = () => `\nstdout:\n${output.stdout.slice(-20_000)}\nstderr:\n${output.stderr.slice(-5_000)}`
  const ended = (withinMs: number) =>
    new Promise<Ended>((ok, fail) => {
      const timer = setTimeout(() => {
        child.kill("SIGKILL")
        fail(new Error(`still running after ${withinMs}ms${describe()}`))
      }, withinMs)
      void closed.then(({ code, signal }) => {
        clearTimeout(timer)
        ok({ code, signal, ...output, ms: performance.now() - started })
      })
    })
  const logLine = (match: (line: Record<string, unknown>) => boolean, withinMs: number) =>
    new Promise<Record<string, unknown>>((ok, fail) => {
      const check = () => jsonLines(output.stdout).find(match)
      const poll = setInterval(() => {
        const found = check()
        if (found !== undefined) finish(() => ok(found))
      }, 50)
      const timer = setTimeout(
        () => finish(() => fail(new Error(`no such log line within ${withinMs}ms${describe()}`))),
        withinMs,
      )
      void closed.then(({ code }) => {
        const found = check()
        finish(() =>
          found !== undefined
            ? ok(found)
            : fail(new Error(`exited (${code}) before the log line${describe()}`)),
        )
      })
      let done = false
      const finish = (settle: () => void) => {
        if (done) return
        done = true
        clearInterval(poll)
        clearTimeout(timer)
        settle()
      }
    })
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL")
  }
  return { child, output, ended, logLine, stop }
}

/** The listeners' addresses, from the process's own "listening" log lines. */
export const listeners = async (command: RunningCommand, withinMs = 30_000) => {
  const api = await command.logLine((line) => line.msg === "HTTP API listening", withinMs)
  const management = await command.logLine((line) => line.msg === "management listening", withinMs)
  return {
    api: `http://127.0.0.1:${api.port}`,
    management: `http://127.0.0.1:${management.port}`,
  }
}
