import { mkdtempSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Either } from "effect"
import { KafkaJSProtocolError } from "kafkajs"
import { describe, expect, it } from "vitest"
import { parseConfig } from "../../src/config/loadConfig.ts"
import { KafkaFailure } from "../../src/pipeline/KafkaFailure.ts"
import { kafkaJsConfig } from "../../src/pipeline/kafkajs/KafkaClient.ts"

const kafkaSection = (yamlKafka: string, env: Record<string, string> = {}) => {
  const parsed = parseConfig(
    "kafka.yaml",
    `server:\n  api_keys: ["an-api-key-of-sufficient-length"]\n  cursor_secret: "${"s".repeat(40)}"\nkafka:\n${yamlKafka}accounts: []\n`,
    env,
  )
  if (Either.isLeft(parsed)) throw new Error(parsed.left.message)
  return parsed.right.config.kafka
}

describe("Kafka connection settings", () => {
  it("plaintext by default: brokers and client id only", () => {
    const config = kafkaJsConfig(kafkaSection("  brokers: [b1:9092]\n"), ["b1:9092", "b2:9092"])
    expect(config.brokers).toEqual(["b1:9092", "b2:9092"])
    expect(config.clientId).toBe("siem-activity-connector")
    expect(config.ssl).toBeUndefined()
    expect(config.sasl).toBeUndefined()
  })

  it("TLS with a CA file and SCRAM-SHA-512 with the password from the environment", () => {
    const dir = mkdtempSync(join(tmpdir(), "kafka-tls-"))
    const ca = join(dir, "ca.pem")
    writeFileSync(ca, "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
    const config = kafkaJsConfig(
      kafkaSection(
        `  brokers: [b1:9093]\n  client_id: siem-prod\n  tls: { ca_file: ${ca} }\n  sasl: { mechanism: scram-sha-512, username: connector, password: "\${KAFKA_PASSWORD}" }\n`,
        { KAFKA_PASSWORD: "from-the-environment" },
      ),
      ["b1:9093"],
    )
    expect(config.clientId).toBe("siem-prod")
    expect(config.ssl).toEqual({
      rejectUnauthorized: true,
      ca: [expect.stringContaining("BEGIN CERTIFICATE")],
    })
    expect(config.sasl).toEqual({
      mechanism: "scram-sha-512",
      username: "connector",
      password: "from-the-environment",
    })
  })

  it("mutual TLS and PLAIN", () => {
    const dir = mkdtempSync(join(tmpdir(), "kafka-mtls-"))
    for (const name of ["ca.pem", "cert.pem", "key.pem"]) writeFileSync(join(dir, name), `${name} contents`)
    const config = kafkaJsConfig(
      kafkaSection(
        `  brokers: [b1:9093]\n  tls: { ca_file: ${dir}/ca.pem, cert_file: ${dir}/cert.pem, key_file: ${dir}/key.pem, reject_unauthorized: false }\n  sasl: { mechanism: plain, username: u, password: p }\n`,
      ),
      ["b1:9093"],
    )
    expect(config.ssl).toEqual({
      rejectUnauthorized: false,
      ca: ["ca.pem contents"],
      cert: "cert.pem contents",
      key: "key.pem contents",
    })
    expect(config.sasl).toEqual({ mechanism: "plain", username: "u", password: "p" })
  })
})

describe("a fenced producer, however kafkajs wraps the broker's answer", () => {
  // kafkajs's own retrier and protocol errors, as its producer meets them.
  const require = createRequire(import.meta.url)
  const { createErrorFromCode } = require("kafkajs/src/protocol/error") as {
    createErrorFromCode: (code: number) => Error & { type: string; code: number; retriable: boolean }
  }
  const createRetry = require("kafkajs/src/retry") as (options: {
    retries: number
    initialRetryTime?: number
  }) => (run: () => Promise<unknown>) => Promise<unknown>
  const thrownThroughRetrier = (code: number, retries = 0) =>
    createRetry({ retries, initialRetryTime: 1 })(async () => {
      throw new KafkaJSProtocolError(createErrorFromCode(code))
    }).then(
      () => expect.unreachable("the retrier rethrows"),
      (error: unknown) => new KafkaFailure({ operation: "transaction", cause: error }),
    )

  it("INVALID_PRODUCER_EPOCH (47) as thrown, and wrapped in KafkaJSNonRetriableError by the retrier", async () => {
    expect(
      new KafkaFailure({ operation: "transaction", cause: new KafkaJSProtocolError(createErrorFromCode(47)) })
        .fenced,
    ).toBe(true)
    const wrapped = await thrownThroughRetrier(47)
    expect((wrapped.cause as Error).name).toBe("KafkaJSNonRetriableError")
    expect(wrapped.fenced).toBe(true)
    expect(wrapped.message).toContain("INVALID_PRODUCER_EPOCH")
  })

  it("PRODUCER_FENCED (90), which kafkajs does not know, wrapped by the retrier", async () => {
    const wrapped = await thrownThroughRetrier(90)
    expect(wrapped.fenced).toBe(true)
    expect(wrapped.message).toContain("PRODUCER_FENCED")
  })

  it("other failures are not fencing: INVALID_TXN_STATE, exhausted CONCURRENT_TRANSACTIONS, another unknown code", async () => {
    expect((await thrownThroughRetrier(48)).fenced).toBe(false)
    const exhausted = await thrownThroughRetrier(51, 1)
    expect((exhausted.cause as Error).name).toBe("KafkaJSNumberOfRetriesExceeded")
    expect(exhausted.fenced).toBe(false)
    expect(exhausted.message).toContain("CONCURRENT_TRANSACTIONS")
    expect((await thrownThroughRetrier(91)).fenced).toBe(false)
  })
})
