import { type ChildProcess, spawn } from "node:child_process"
import { resolve } from "node:path"

const main = resolve(import.meta.dirname, "../../src/main.ts")

/** `node src/main.ts run --config FILE` as its own process, for tests that kill it. */
export const startConnector = (configFile: string, stderr: string[]): ChildProcess => {
  const child = spawn(process.execPath, [main, "run", "--config", configFile], {
    stdio: ["ignore", "ignore", "pipe"],
  })
  child.stderr?.on("data", (chunk) => stderr.push(String(chunk)))
  return child
}

/** The exit code, once the process has ended (null when a signal ended it). */
export const exited = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode)
    else child.once("exit", (code) => resolve(code))
  })

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
