/**
 * Gives every test a real Kafka broker, in this order:
 *  1. `KAFKA_BROKERS` (comma-separated) when set: an existing cluster, nothing started or stopped;
 *  2. testcontainers' Kafka module when a container runtime answers (DOCKER_HOST or a Docker socket);
 *  3. otherwise the project's own KRaft broker from Maven jars (`scripts/kafka-local`), on a free port,
 *     with its state in a temp dir, stopped again at teardown.
 */
import { execFile } from "node:child_process"
import { existsSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { promisify } from "node:util"
import type { TestProject } from "vitest/node"
import { freePortPair } from "../../src/dev/ports.ts"

declare module "vitest" {
  export interface ProvidedContext {
    kafkaBrokers: string
    /** How the broker came to be; tests that stop and start the broker need "local". */
    kafkaMode: "external" | "container" | "local"
    /** For mode "local": what scripts/kafka-local needs to stop and restart this same broker. */
    kafkaLocalEnv: Record<string, string>
  }
}

const run = promisify(execFile)
const script = resolve(import.meta.dirname, "../../scripts/kafka-local")

const containerRuntimeAvailable = () => Boolean(process.env.DOCKER_HOST) || existsSync("/var/run/docker.sock")

export default async function setup(project: TestProject) {
  const external = process.env.KAFKA_BROKERS?.trim()
  if (external) {
    project.provide("kafkaBrokers", external)
    project.provide("kafkaMode", "external")
    project.provide("kafkaLocalEnv", {})
    return
  }

  if (containerRuntimeAvailable() && process.env.KAFKA_TESTCONTAINERS !== "0") {
    // Loaded only here, so a machine without Docker never imports it.
    const { KafkaContainer } = await import("@testcontainers/kafka")
    // testcontainers' Kafka module drives Confluent's image (its start script and version checks are
    // cp-kafka's); cp-kafka 8.x is Apache Kafka 4.x and runs KRaft by itself. Not run on the development
    // machines, which have no container runtime.
    const container = await new KafkaContainer("confluentinc/cp-kafka:8.1.0").start()
    project.provide("kafkaBrokers", `${container.getHost()}:${container.getMappedPort(9093)}`)
    project.provide("kafkaMode", "container")
    project.provide("kafkaLocalEnv", {})
    return async () => {
      await container.stop()
    }
  }

  // Two consecutive free ports: client and controller.
  const port = await freePortPair()
  const home = mkdtempSync(join(tmpdir(), "siem-connector-kafka-"))
  // Retention checks every second instead of every 5 minutes, so a test sees what retention deletes.
  const env = { KAFKA_PORT: String(port), KAFKA_LOCAL_HOME: home, KAFKA_RETENTION_CHECK_MS: "1000" }
  try {
    await run("bash", [script, "start"], { env: { ...process.env, ...env }, timeout: 300_000 })
  } catch (cause) {
    const stderr = (cause as { stderr?: string }).stderr ?? ""
    throw new Error(`Could not start the local Kafka broker (scripts/kafka-local start):\n${stderr}`)
  }
  project.provide("kafkaBrokers", `127.0.0.1:${port}`)
  project.provide("kafkaMode", "local")
  project.provide("kafkaLocalEnv", env)
  return async () => {
    await run("bash", [script, "stop"], { env: { ...process.env, ...env } }).catch(() => undefined)
    rmSync(home, { recursive: true, force: true })
  }
}
