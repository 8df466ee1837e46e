import { readFileSync } from "node:fs"
import { resolve } from "node:path"
import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { parse } from "yaml"
import { parseConfig } from "../src/config/loadConfig.ts"

// No Docker engine on the development machines: the compose file and the Dockerfile are checked as text.
const root = resolve(import.meta.dirname, "..")
const read = (path: string) => readFileSync(resolve(root, path), "utf8")

interface ComposeService {
  readonly image?: string
  readonly environment?: Record<string, string | number>
  readonly ports?: ReadonlyArray<string>
}
const compose = parse(read("docker-compose.yml")) as { services: Record<string, ComposeService> }
const connector = compose.services.connector
const kafka = compose.services.kafka

/** The container's environment as the connector sees it: every value a string. */
const connectorEnv = Object.fromEntries(
  Object.entries(connector?.environment ?? {}).map(([name, value]) => [name, String(value)]),
)

/** The config a compose user mounts: the example, copied, with every `${VAR}` it names set (from `.env`). */
const exampleFile = resolve(root, "config/connector.example.yaml")
const exampleText = read("config/connector.example.yaml")
const secrets = Object.fromEntries(
  [...exampleText.matchAll(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g)].map((m) => [
    m[1] ?? "",
    `docker-test-${m[1]}-0123456789abcdef0123456789abcdef`,
  ]),
)
const managementOf = (env: NodeJS.ProcessEnv) => {
  const parsed = parseConfig(exampleFile, exampleText, env)
  if (Either.isLeft(parsed)) throw new Error(parsed.left.message)
  return parsed.right.config.server.management
}

describe("docker-compose.yml", () => {
  it("runs the Kafka version development and the tests use (KAFKA_VERSION in scripts/kafka-local)", () => {
    const version = /^KAFKA_VERSION="\$\{KAFKA_VERSION:-([^}]+)\}"$/m.exec(read("scripts/kafka-local"))?.[1]
    expect(version).toMatch(/^\d+\.\d+\.\d+$/)
    expect(kafka?.image).toBe(`apache/kafka:${version}`)
  })

  it("binds the connector's management listener on every interface of the container", () => {
    // The example says 127.0.0.1; the container's environment replaces it.
    expect(managementOf(secrets).host).toBe("127.0.0.1")
    expect(connectorEnv.MANAGEMENT_HOST).toBe("0.0.0.0")
    expect(managementOf({ ...secrets, ...connectorEnv }).host).toBe("0.0.0.0")
  })

  it("publishes the management port, so Prometheus can scrape /metrics", () => {
    const { port } = managementOf({ ...secrets, ...connectorEnv })
    // "HOST:CONTAINER" or "IP:HOST:CONTAINER": the container side is the last part.
    const containerPorts = (connector?.ports ?? []).map((mapping) => Number(mapping.split(":").at(-1)))
    expect(containerPorts).toContain(port)
    expect(containerPorts).toContain(8080)
  })
})

describe("Dockerfile", () => {
  it("exposes the API and the management port", () => {
    const exposed = /^EXPOSE (.+)$/m.exec(read("Dockerfile"))?.[1]?.split(/\s+/)
    expect(exposed).toEqual(expect.arrayContaining(["8080", "8081"]))
  })
})
