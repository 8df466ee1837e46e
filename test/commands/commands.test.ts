import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { Kafka, logLevel } from "kafkajs"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { stringify } from "yaml"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { startCommand } from "../support/connectorCommand.ts"

const dir = mkdtempSync(join(tmpdir(), "connector-commands-test-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** `node src/main.ts ...args` to its end; `onLine` sees stdout lines as they come. */
const main = (
  args: ReadonlyArray<string>,
  options: { withinMs?: number; onLine?: (line: string) => void } = {},
) => startCommand(args, {}, options.onLine).ended(options.withinMs ?? 20_000)

describe("--help", () => {
  const commands: Record<string, ReadonlyArray<string>> = {
    run: ["--config"],
    serve: ["--config"],
    backfill: ["--config", "--account", "--cursor", "--since"],
    tail: ["--topic", "--follow", "--from-beginning", "--key", "--brokers"],
    "check-config": ["--config"],
  }
  for (const [command, options] of Object.entries(commands)) {
    it(`${command} --help lists its options and an example, exit 0`, async () => {
      const result = await main([command, "--help"])
      expect(result.code, result.stderr).toBe(0)
      for (const option of options) expect(result.stdout).toContain(option)
      expect(result.stdout).toContain("Example:")
    })
  }
})

describe("check-config", () => {
  const scope = Effect.runSync(Scope.make())
  afterAll(() => Effect.runPromise(Scope.close(scope, Exit.void)))

  it("one line per account: a good account, a revoked token, an unreachable host; exit 1", async () => {
    const okta = await Effect.runPromise(Scope.extend(startOktaSimulator({ seed: 5, historySize: 5 }), scope))
    const ids = { good: randomUUID(), revoked: randomUUID(), unreachable: randomUUID() }
    const file = join(dir, "check.yaml")
    writeFileSync(
      file,
      stringify({
        server: { api_keys: ["check-config-test-key-0123456789"], cursor_secret: "c".repeat(32) },
        accounts: [
          { id: ids.good, integration: "okta", base_url: okta.baseUrl, credentials: okta.credentials },
          {
            id: ids.revoked,
            integration: "okta",
            base_url: okta.baseUrl,
            credentials: { api_token: "00revoked" },
          },
          {
            id: ids.unreachable,
            integration: "okta",
            base_url: "http://127.0.0.1:9",
            credentials: okta.credentials,
          },
        ],
      }),
    )
    const result = await main(["check-config", "--config", file])
    const lines = result.stdout.split("\n")
    const lineOf = (id: string) => lines.find((line) => line.includes(id)) ?? ""
    expect(lineOf(ids.good)).toMatch(/^ok\s/)
    expect(lineOf(ids.revoked)).toMatch(/^FAIL\s.*remote_unauthorized/)
    expect(lineOf(ids.unreachable)).toMatch(/^FAIL\s.*remote_unavailable/)
    expect(result.code).toBe(1)
    expect(result.stdout).not.toContain("00revoked")
  })

  it("exits 0 when every account passes, and 1 with the key's path for a config that does not validate", async () => {
    const okta = await Effect.runPromise(Scope.extend(startOktaSimulator({ seed: 6, historySize: 5 }), scope))
    const good = join(dir, "good.yaml")
    writeFileSync(
      good,
      stringify({
        server: { api_keys: ["check-config-test-key-0123456789"], cursor_secret: "c".repeat(32) },
        accounts: [
          { id: randomUUID(), integration: "okta", base_url: okta.baseUrl, credentials: okta.credentials },
        ],
      }),
    )
    const passed = await main(["check-config", "--config", good])
    expect(passed.code, passed.stderr).toBe(0)
    expect(passed.stdout).toMatch(/^ok\s/m)
    const bad = join(dir, "bad.yaml")
    writeFileSync(bad, "server: { api_keys: [short] }\naccounts: []\n")
    const failed = await main(["check-config", "--config", bad])
    expect(failed.code).toBe(1)
    expect(failed.stderr).toContain("server.api_keys")
  })
})

describe("tail", () => {
  const brokers = inject("kafkaBrokers")
  const topic = `tail-test-${randomUUID()}`
  const kafka = new Kafka({ clientId: "tail-test", brokers: brokers.split(","), logLevel: logLevel.NOTHING })
  const producer = kafka.producer()
  beforeAll(async () => {
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 2 }], waitForLeaders: true })
    await admin.disconnect()
    await producer.connect()
    await producer.send({
      topic,
      messages: Array.from({ length: 300 }, (_, i) => ({
        key: i % 3 === 0 ? "account-a" : "account-b",
        value: JSON.stringify({ id: `activity-${i}`, action: "login" }),
        headers: { ce_type: "com.example.login", integration: "okta" },
      })),
    })
  })
  afterAll(() => producer.disconnect())

  it("prints the first record within 5 s, values and headers as JSON objects, and stops at the end", async () => {
    let firstAt: number | undefined
    const started = performance.now()
    const result = await main(["tail", "--topic", topic, "--brokers", brokers], {
      onLine: () => {
        firstAt ??= performance.now() - started
      },
    })
    expect(result.code, result.stderr).toBe(0)
    expect(firstAt).toBeLessThan(5_000)
    const records = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
    // The last 10 of each of the 2 partitions.
    expect(records).toHaveLength(20)
    expect(records[0].value).toMatchObject({ action: "login" })
    expect(typeof records[0].value.id).toBe("string")
    expect(records[0].headers).toMatchObject({ integration: "okta", ce_type: "com.example.login" })
    expect(result.stderr).not.toContain("TimeoutNegativeWarning")
  })

  it("--from-beginning --key: every record of one account", async () => {
    const result = await main([
      "tail",
      "--topic",
      topic,
      "--brokers",
      brokers,
      "--from-beginning",
      "--key",
      "account-a",
    ])
    expect(result.code, result.stderr).toBe(0)
    const records = result.stdout
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line))
    expect(records).toHaveLength(100)
    expect(new Set(records.map((r) => r.key))).toEqual(new Set(["account-a"]))
  })

  it("--follow prints new records and ends at once on SIGINT", async () => {
    let sawLate: () => void = () => {}
    const late = new Promise<void>((ok) => {
      sawLate = ok
    })
    const run = startCommand(
      ["tail", "--topic", topic, "--brokers", brokers, "--follow", "-n", "0"],
      {},
      (line) => {
        if (JSON.parse(line).value?.id === "late") sawLate()
      },
    )
    // Until the new record shows up: sent again every second, in case the first went before the consumer joined.
    const sending = setInterval(() => {
      producer
        .send({ topic, messages: [{ key: "account-a", value: JSON.stringify({ id: "late" }) }] })
        .catch(() => {})
    }, 1_000)
    await late
    clearInterval(sending)
    const stoppedAt = performance.now()
    run.child.kill("SIGINT")
    const result = await run.ended(30_000)
    expect(result.code).toBe(0)
    expect(performance.now() - stoppedAt).toBeLessThan(3_000)
  })
})

describe("tail on a transactional topic, as the connector writes its own", () => {
  const brokers = inject("kafkaBrokers")
  const topic = `tail-transactions-${randomUUID()}`
  const kafka = new Kafka({ clientId: "tail-test", brokers: brokers.split(","), logLevel: logLevel.NOTHING })
  beforeAll(async () => {
    const admin = kafka.admin()
    await admin.connect()
    await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: true })
    await admin.disconnect()
    // One record a transaction: every record is followed by its commit marker, which takes an offset, so the
    // partition's last offset is a marker and its last n offsets hold n/2 records.
    const producer = kafka.producer({
      transactionalId: `tail-test-${randomUUID()}`,
      idempotent: true,
      maxInFlightRequests: 1,
    })
    await producer.connect()
    for (let i = 0; i < 30; i++) {
      const transaction = await producer.transaction()
      await transaction.send({
        topic,
        messages: [{ key: "account-a", value: JSON.stringify({ id: `activity-${i}` }) }],
      })
      await transaction.commit()
    }
    await producer.disconnect()
  }, 60_000)

  const ids = (stdout: string) =>
    stdout
      .trim()
      .split("\n")
      .filter((text) => text !== "")
      .map((text) => JSON.parse(text).value.id as string)

  it("prints the last n records, not the records among the last n offsets", async () => {
    const three = await main(["tail", "--topic", topic, "--brokers", brokers, "-n", "3"])
    expect(three.code, three.stderr).toBe(0)
    expect(ids(three.stdout)).toEqual(["activity-27", "activity-28", "activity-29"])
    const one = await main(["tail", "--topic", topic, "--brokers", brokers, "-n", "1"])
    expect(one.code, one.stderr).toBe(0)
    expect(ids(one.stdout)).toEqual(["activity-29"])
    const all = await main(["tail", "--topic", topic, "--brokers", brokers, "-n", "100"])
    expect(ids(all.stdout)).toHaveLength(30)
  })
})
