import { spawn } from "node:child_process"
import { join } from "node:path"
import { createInterface } from "node:readline"

export interface SimulatorProcess {
  readonly integration: string
  readonly baseUrl: string
  readonly credentials: Readonly<Record<string, string>>
  readonly settings: Readonly<Record<string, string>>
  readonly pid: number
  /** Asks the simulator to publish `count` new events now. */
  readonly emit: (count: number) => void
  readonly stop: () => void
}

/** Every simulator process still running, stopped if this process ends first (one exit handler for all). */
const running = new Set<() => void>()
process.once("exit", () => {
  for (const stop of running) stop()
})

/** A simulator of `history` events in a child process (bench/kit/simulatorProcess.ts), Okta's by default. */
export const startSimulatorProcess = (history: number, seed: number, integration = "okta") =>
  new Promise<SimulatorProcess>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [join(import.meta.dirname, "simulatorProcess.ts"), integration, String(history), String(seed)],
      {
        stdio: ["pipe", "pipe", "inherit"],
      },
    )
    const stop = () => {
      running.delete(stop)
      child.stdin.end()
      child.kill()
    }
    running.add(stop)
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`the simulator process ended (${code}) before listening`)))
    createInterface({ input: child.stdout }).once("line", (line) => {
      const ready = JSON.parse(line) as Pick<
        SimulatorProcess,
        "integration" | "baseUrl" | "credentials" | "settings"
      >
      resolve({
        ...ready,
        pid: child.pid ?? 0,
        emit: (count) => child.stdin.write(`emit ${count}\n`),
        stop,
      })
    })
  })
