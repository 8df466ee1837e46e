import { type ChildProcess, spawn } from "node:child_process"
import { createHash, randomUUID } from "node:crypto"
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { simulatedAccount } from "../../src/dev/EmbeddedDefaults.ts"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { startCommand } from "../support/connectorCommand.ts"
import { writeConfig } from "../support/simulatedAccounts.ts"
import { kafkaFor, readTopic, uniqueTopics } from "../support/topics.ts"

/**
 * A sink run: Apache Kafka Connect (standalone, from Maven Central) with its FileStreamSink reads the
 * connector's activities topic with `consumer.override.isolation.level=read_committed`, as every recipe in
 * siem/sinks/ does. The topic holds an account's history published by `run`, the same history again from
 * `backfill` (a replay), and an aborted transaction's record. The sink gets every committed record and not
 * the aborted one; the replayed records carry the same dedupe_key, so a sink that keys on it (an
 * Elasticsearch `_id`, a Splunk `dedup`) keeps one of each.
 */
const brokers = inject("kafkaBrokers")
const script = resolve(import.meta.dirname, "../../scripts/kafka-local")
const dir = mkdtempSync(join(tmpdir(), "connector-connect-sink-"))
const scope = Effect.runSync(Scope.make())
const topics = uniqueTopics()
const account = randomUUID()
const abortedMarker = `aborted-${randomUUID()}`
const sinkFile = join(dir, "sink.jsonl")
let history = 0
let connect: ChildProcess | undefined
let connectLog = ""

const env = { KAFKA_BROKERS: brokers }

beforeAll(async () => {
  const okta = await Effect.runPromise(
    Scope.extend(startOktaSimulator({ seed: 11, historySize: 30, rateLimit: 100_000 }), scope),
  )
  history = okta.events().length
  const config = writeConfig(dir, "run", [{ ...simulatedAccount(okta, account), start_from: "earliest" }], {
    kafka: { brokers: [brokers], topics, partitions: 1 },
    poll: { interval: "1s", page_size: 10 },
  })
  const run = startCommand(["run", "--config", config], env)
  try {
    await readTopic(brokers, topics.activities, (read) => read.length >= history, 90_000)
  } finally {
    run.child.kill("SIGTERM")
    await run.ended(30_000)
  }
  // A replay: the account's history published again, by the connector's own backfill.
  const backfill = await startCommand(
    ["backfill", "--config", config, "--account", account, "--since", "2000-01-01T00:00:00Z"],
    env,
  ).ended(90_000)
  expect(backfill.code, backfill.stderr).toBe(0)

  // An aborted transaction on the same topic, as a publish cut short leaves one.
  const producer = kafkaFor(brokers).producer({
    transactionalId: `aborted-${randomUUID()}`,
    idempotent: true,
    maxInFlightRequests: 1,
  })
  await producer.connect()
  const transaction = await producer.transaction()
  await transaction.send({
    topic: topics.activities,
    messages: [{ key: account, value: JSON.stringify({ id: abortedMarker, dedupe_key: abortedMarker }) }],
  })
  await transaction.abort()
  await producer.disconnect()

  writeFileSync(
    join(dir, "worker.properties"),
    [
      `bootstrap.servers=${brokers}`,
      "key.converter=org.apache.kafka.connect.storage.StringConverter",
      "value.converter=org.apache.kafka.connect.storage.StringConverter",
      `offset.storage.file.filename=${join(dir, "connect.offsets")}`,
      // consumer.override.* in a connector's config is refused unless the worker allows it.
      "connector.client.config.override.policy=All",
      "listeners=http://127.0.0.1:0",
      "",
    ].join("\n"),
  )
  writeFileSync(
    join(dir, "file-sink.properties"),
    [
      `name=siem-file-sink-${randomUUID().slice(0, 8)}`,
      "connector.class=org.apache.kafka.connect.file.FileStreamSinkConnector",
      "tasks.max=1",
      `topics=${topics.activities}`,
      `file=${sinkFile}`,
      "consumer.override.isolation.level=read_committed",
      "consumer.override.auto.offset.reset=earliest",
      "",
    ].join("\n"),
  )
  connect = spawn(
    "bash",
    [script, "connect-standalone", join(dir, "worker.properties"), join(dir, "file-sink.properties")],
    { env: { ...process.env, KAFKA_HEAP: "384m" }, stdio: ["ignore", "pipe", "pipe"] },
  )
  connect.stdout?.on("data", (chunk) => {
    connectLog = (connectLog + String(chunk)).slice(-20_000)
  })
  connect.stderr?.on("data", (chunk) => {
    connectLog = (connectLog + String(chunk)).slice(-20_000)
  })
}, 300_000)

afterAll(async () => {
  if (connect && connect.exitCode === null) {
    const exited = new Promise((ok) => connect?.once("exit", ok))
    connect.kill("SIGTERM")
    await exited
  }
  await Effect.runPromise(Scope.close(scope, Exit.void))
  rmSync(dir, { recursive: true, force: true })
})

const sinkLines = () =>
  existsSync(sinkFile)
    ? readFileSync(sinkFile, "utf8")
        .split("\n")
        .filter((line) => line !== "")
    : []

/** Until the sink has written `count` lines, or the worker has ended. */
const untilSunk = async (count: number, withinMs: number) => {
  for (let waited = 0; sinkLines().length < count; waited += 200) {
    if (waited > withinMs || (connect?.exitCode ?? null) !== null)
      throw new Error(`${sinkLines().length} of ${count} lines sunk; Kafka Connect said:\n${connectLog}`)
    await new Promise((wait) => setTimeout(wait, 200))
  }
}

describe("Kafka Connect FileStreamSink, read_committed, on the activities topic", () => {
  it("gets every committed record, run's and backfill's, and not the aborted transaction's", async () => {
    await untilSunk(2 * history, 180_000)
    const lines = sinkLines()
    expect(lines).toHaveLength(2 * history)
    expect(lines.some((line) => line.includes(abortedMarker))).toBe(false)
    // The aborted record is in the log all the same: a read_uncommitted reader gets it.
    const uncommitted = await readUncommitted(topics.activities, 2 * history + 1)
    expect(uncommitted.some((value) => value.includes(abortedMarker))).toBe(true)
  }, 240_000)

  it("a replayed activity carries the same dedupe_key: keyed on it, the sink keeps each activity once", () => {
    const records = sinkLines().map(
      (line) =>
        JSON.parse(line) as {
          id: string
          dedupe_key: string
          integration: string
          integrated_account_id: string
        },
    )
    const byKey = new Map<string, number>()
    for (const record of records) byKey.set(record.dedupe_key, (byKey.get(record.dedupe_key) ?? 0) + 1)
    expect(byKey.size).toBe(history)
    expect([...byKey.values()].every((n) => n === 2)).toBe(true)
    // The key is docs/records.md's: SHA-256 of ce_source, a newline, and the activity id.
    for (const record of records) {
      const source = `/integrations/${record.integration}/accounts/${record.integrated_account_id}`
      expect(record.dedupe_key).toBe(createHash("sha256").update(`${source}\n${record.id}`).digest("hex"))
    }
  })
})

/** The topic's values read_uncommitted, once `count` are there. */
const readUncommitted = async (topic: string, count: number) => {
  const consumer = kafkaFor(brokers).consumer({
    groupId: `uncommitted-${randomUUID()}`,
    readUncommitted: true,
  })
  const values: string[] = []
  await consumer.connect()
  try {
    await consumer.subscribe({ topic, fromBeginning: true })
    await new Promise<void>((ok, fail) => {
      const timer = setTimeout(() => fail(new Error(`${values.length} of ${count} records`)), 30_000)
      void consumer.run({
        eachMessage: async ({ message }) => {
          values.push(message.value?.toString() ?? "")
          if (values.length >= count) {
            clearTimeout(timer)
            ok()
          }
        },
      })
    })
    return values
  } finally {
    await consumer.disconnect()
  }
}
