import { execFile, execFileSync } from "node:child_process"
import { mkdtempSync, rmSync } from "node:fs"
import os from "node:os"
import { join } from "node:path"
import { promisify } from "node:util"
import { freePortPair } from "../../src/dev/ports.ts"
import { root } from "./report.ts"

export const kafkaLocal = join(root, "scripts", "kafka-local")

export interface Broker {
  readonly brokers: string
  readonly port: number | undefined
  readonly stop: () => void
}

/**
 * KAFKA_BROKERS when set; otherwise a broker of its own from scripts/kafka-local on a free loopback port with
 * a throw-away state dir, stopped however this process ends.
 */
export const startBroker = async (): Promise<Broker> => {
  const external = process.env.KAFKA_BROKERS?.trim()
  if (external)
    return { brokers: external, port: Number(external.split(":").at(-1)) || undefined, stop: () => undefined }
  const port = await freePortPair()
  const home = mkdtempSync(join(os.tmpdir(), "siem-connector-bench-kafka-"))
  const env = { ...process.env, KAFKA_PORT: String(port), KAFKA_LOCAL_HOME: home }
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    try {
      execFileSync("bash", [kafkaLocal, "stop"], { env, stdio: "ignore", timeout: 60_000 })
    } catch {
      // Already gone.
    }
    rmSync(home, { recursive: true, force: true })
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const)
    process.once(signal, () => {
      stop()
      process.exit(130)
    })
  process.once("exit", stop)
  try {
    await promisify(execFile)("bash", [kafkaLocal, "start"], { env, timeout: 300_000 })
  } catch (cause) {
    stop()
    throw new Error(
      `scripts/kafka-local start failed:\n${(cause as { stderr?: string }).stderr ?? String(cause)}`,
    )
  }
  return { brokers: `127.0.0.1:${port}`, port, stop }
}

/** Runs one of Kafka's own tools (from the broker's version's jars) and returns its stdout. */
export const kafkaTool = async (className: string, args: ReadonlyArray<string>) => {
  const { stdout } = await promisify(execFile)("bash", [kafkaLocal, "tool", className, ...args], {
    timeout: 900_000,
    maxBuffer: 64 * 1024 * 1024,
  })
  return stdout
}
