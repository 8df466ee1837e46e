// Benchmarks that print numbers; not tests, nothing is asserted.
//
//   node bench/run.ts [--records N] [--events N] [--page-size N] [--only mapping|pipeline|checkpoints|accounts]
//                     [--timeout SECONDS] [--accounts N] [--checkpoints N] [--history N]
//   --page-size: provider page size for both parts (default 1000, the most the config allows)
//
//   (a) mapping: decode + map + route N realistic Okta LogEvents (default 100 000), in memory.
//   (b) pipeline: Okta simulator (history --events, default 20 000) → runPipeline → a real Kafka broker, until
//       the activities topic's last stable offset shows every event. Then (b') Kafka's own producer benchmark
//       (ProducerPerformance, fetched with `scripts/kafka-local tool`) sends as many of the same activities to
//       the same broker, transactional, committing as often as the connector did: the ceiling to compare with. KAFKA_BROKERS is used when set; otherwise
//       scripts/kafka-local starts a broker on a free loopback port with a throw-away state dir and stops it.
//   (c) checkpoints (only with --only checkpoints): --checkpoints commits (default 300 000) spread over --accounts
//       accounts (default 1 000) onto a checkpoint topic as the connector creates it and onto one with Kafka's
//       segment defaults; after the cleaner's lag, the time every start (and resynchronisation) spends reading
//       each to its end.
//   (d) accounts (only with --only accounts): --accounts Okta accounts (default 1 000) of --history events each
//       (default 20) in one process, until all are caught up, then one poll interval idle.
// Everything listens on 127.0.0.1 and ends by itself (the pipeline wait is bounded by --timeout, default 300 s).

import { execFile, execFileSync } from "node:child_process"
import { randomBytes, randomUUID } from "node:crypto"
import { mkdtempSync, readdirSync, readlinkSync, rmSync, writeFileSync } from "node:fs"
import os from "node:os"
import { join, relative, resolve } from "node:path"
import { promisify } from "node:util"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Effect, Either, Fiber, Layer, Redacted } from "effect"
import { Kafka, logLevel } from "kafkajs"
import { stringify } from "yaml"
import { appLayers } from "../src/cli/runConnector.ts"
import { parseConfig } from "../src/config/loadConfig.ts"
import { freePortPair } from "../src/dev/ports.ts"
import type { IntegratedAccount } from "../src/domain/IntegratedAccount.ts"
import { encodeCheckpoint } from "../src/pipeline/Checkpoint.ts"
import { CheckpointStore, readCheckpoints } from "../src/pipeline/CheckpointStore.ts"
import { KafkaClient } from "../src/pipeline/KafkaClient.ts"
import { stopKafkajsIdleLoop } from "../src/pipeline/kafkajsIdleLoop.ts"
import { runPipeline } from "../src/pipeline/Pipeline.ts"
import { routePage } from "../src/pipeline/routePage.ts"
import { StreamHealth } from "../src/pipeline/StreamHealth.ts"
import { checkpointTopicSettings, ensureTopics } from "../src/pipeline/Topics.ts"
import { mapRecord } from "../src/providers/mapRecord.ts"
import { okta } from "../src/providers/okta/index.ts"
import { eventGenerator } from "../src/simulators/okta/eventGenerator.ts"
import { startOktaSimulator } from "../src/simulators/okta/OktaSimulator.ts"

stopKafkajsIdleLoop()

const root = resolve(import.meta.dirname, "..")
const kafkaLocal = join(root, "scripts", "kafka-local")
/** Broker default message.max.bytes (1 MiB + 12): the most one record batch, i.e. one partition of a page, may hold. */
const BROKER_DEFAULT_MAX_BATCH = 1_048_588

// ---------------------------------------------------------------------------------------------- arguments

const usage =
  "usage: node bench/run.ts [--records N] [--events N] [--page-size N] " +
  "[--only mapping|pipeline|checkpoints|accounts] [--timeout SECONDS] [--accounts N] [--checkpoints N] [--history N]"
type Only = "mapping" | "pipeline" | "checkpoints" | "accounts"
const parseArgs = (argv: ReadonlyArray<string>) => {
  const options = {
    records: 100_000,
    events: 20_000,
    only: undefined as Only | undefined,
    accounts: 1_000,
    checkpoints: 300_000,
    history: 20,
    pageSize: 1000,
    timeoutS: 300,
  }
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = (argv[i] ?? "").split("=", 2) as [string, string | undefined]
    const value = inline ?? argv[++i]
    const positive = () => {
      const n = Number(value)
      if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} needs a positive integer\n${usage}`)
      return n
    }
    if (flag === "--records") options.records = positive()
    else if (flag === "--events") options.events = positive()
    else if (flag === "--page-size") options.pageSize = positive()
    else if (flag === "--timeout") options.timeoutS = positive()
    else if (flag === "--accounts") options.accounts = positive()
    else if (flag === "--checkpoints") options.checkpoints = positive()
    else if (flag === "--history") options.history = positive()
    else if (
      flag === "--only" &&
      (value === "mapping" || value === "pipeline" || value === "checkpoints" || value === "accounts")
    )
      options.only = value
    else throw new Error(`unknown argument ${argv[i] ?? ""}\n${usage}`)
  }
  return options
}

// ---------------------------------------------------------------------------------------------- measuring

setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void
const fullGc = () => {
  gc()
  gc()
}
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`
const int = (n: number) => Math.round(n).toLocaleString("en-US")
const row = (label: string, value: string) => console.log(`  ${label.padEnd(38)} ${value}`)
/** The process's peak resident set so far (getrusage ru_maxrss). */
const maxRss = () => process.resourceUsage().maxRSS * 1024

/** Peak RSS seen by sampling, for one phase (ru_maxrss only ever grows over the whole process). */
const rssPeak = () => {
  let peak = process.memoryUsage.rss()
  return {
    sample: () => {
      peak = Math.max(peak, process.memoryUsage.rss())
    },
    get: () => peak,
  }
}

const benchAccount: IntegratedAccount = {
  id: "5d0c1f9e-2b4a-4e6f-8a1b-3c5d7e9f1a2b",
  integration: "okta",
  baseUrl: new URL("https://bench.okta.example"),
  credentials: { _tag: "Ssws", token: Redacted.make("00bench") },
  settings: {},
}

const minimalConfig = (extra: Record<string, unknown> = {}) =>
  stringify(
    {
      server: {
        host: "127.0.0.1",
        port: 0,
        api_keys: [randomBytes(24).toString("base64url")],
        cursor_secret: randomBytes(32).toString("base64url"),
      },
      accounts: [],
      ...extra,
      // Shared objects (one simulator's credentials for many accounts) written out each time: the config
      // loader refuses more than 100 YAML aliases.
    },
    { aliasDuplicateObjects: false },
  )

/** The four topics of one benchmark run, under a prefix of its own. */
const topicsOf = (prefix: string) => ({
  activities: `${prefix}.activities`,
  login_failed: `${prefix}.activities.login_failed`,
  dead_letter: `${prefix}.activities.dead-letter`,
  checkpoints: `${prefix}.activities.checkpoints`,
})

/** The config's `kafka` section for one benchmark run on `brokers` (comma-separated). */
const benchKafka = (brokers: string, prefix: string, partitions: number) => ({
  brokers: brokers.split(","),
  topics: topicsOf(prefix),
  partitions,
  transactional_id_prefix: prefix,
})

/** `count` accounts on one Okta simulator, each reading its whole history. */
const oktaAccounts = (simulator: { baseUrl: string; credentials: unknown }, count: number) =>
  Array.from({ length: count }, () => ({
    id: randomUUID(),
    integration: "okta",
    base_url: simulator.baseUrl,
    credentials: simulator.credentials,
    start_from: "earliest",
  }))

// ---------------------------------------------------------------------------------------------- (a) mapping

/** `count` generated events as an HTTP body arrives: parsed JSON, no object shared between records. */
const inputEvents = (count: number) => {
  const start = performance.now()
  const body = JSON.stringify(
    eventGenerator(7)
      .history(count, Date.now(), 6 * 60 * 60 * 1000)
      .map(({ event }) => event),
  )
  const events = JSON.parse(body) as ReadonlyArray<unknown>
  return { events, jsonBytes: Buffer.byteLength(body), generateMs: performance.now() - start }
}

const mappingBench = (records: number, pageSize: number) => {
  console.log(`\n(a) mapping: decode + map + route ${int(records)} Okta LogEvents, pages of ${pageSize}`)
  const kafka = Either.getOrThrow(parseConfig("bench", minimalConfig(), {})).config.kafka

  const { events, jsonBytes, generateMs } = inputEvents(records)
  row(
    "input generated",
    `${int(events.length)} events, ${mib(jsonBytes)} as JSON, ${generateMs.toFixed(0)} ms`,
  )
  const pages: Array<ReadonlyArray<unknown>> = []
  for (let i = 0; i < events.length; i += pageSize) pages.push(events.slice(i, i + pageSize))

  // Warm-up: let the JIT see every path before timing.
  for (const page of pages.slice(0, 5)) routePage(benchAccount, page, kafka)
  for (const raw of events.slice(0, 5_000)) mapRecord(okta.streams[0], benchAccount, raw)

  const report = (label: string, elapsedMs: number) =>
    row(
      label,
      `${int((records / elapsedMs) * 1000)} records/s, ${((elapsedMs * 1000) / records).toFixed(2)} µs/record, ${elapsedMs.toFixed(0)} ms`,
    )

  // decode + map only (mapRecord), for the share routing adds.
  fullGc()
  let mapped = 0
  const mapStart = performance.now()
  for (const raw of events) if (Either.isRight(mapRecord(okta.streams[0], benchAccount, raw))) mapped++
  report("decode + map (mapRecord)", performance.now() - mapStart)

  // decode + map + route (routePage), the pipeline's per-page step.
  fullGc()
  const rss = rssPeak()
  const heapBefore = process.memoryUsage().heapUsed
  let messages = 0
  let valueBytes = 0
  let published = 0
  let deadLettered = 0
  let largestBatch = 0
  const routeStart = performance.now()
  for (const page of pages) {
    const routed = routePage(benchAccount, page, kafka)
    published += routed.published
    deadLettered += routed.deadLettered
    messages += routed.messages.length
    // What one page puts on the activities partition: one record batch per partition per transaction.
    let batch = 0
    for (const { topic, message } of routed.messages) {
      const size = Buffer.byteLength(message.value as string)
      valueBytes += size
      if (topic === kafka.topics.activities) batch += size
    }
    largestBatch = Math.max(largestBatch, batch)
    rss.sample()
  }
  const routeMs = performance.now() - routeStart
  const heapAfter = process.memoryUsage().heapUsed
  fullGc()
  const heapAfterGc = process.memoryUsage().heapUsed
  report("decode + map + route (routePage)", routeMs)
  row(
    "outcome",
    `${int(published)} published, ${int(deadLettered)} dead-lettered, ${int(messages)} Kafka messages (${mib(valueBytes)} of values)`,
  )
  row("mapped by mapRecord", `${int(mapped)} of ${int(records)}`)
  row(
    "largest page on the activities topic",
    `${mib(largestBatch)} of values (broker default message.max.bytes: ${mib(BROKER_DEFAULT_MAX_BATCH)})`,
  )
  row("heap used before / after / after GC", `${mib(heapBefore)} / ${mib(heapAfter)} / ${mib(heapAfterGc)}`)
  row("peak RSS (sampled, this phase)", mib(rss.get()))
  row("peak RSS (process so far)", mib(maxRss()))
}

// ---------------------------------------------------------------------------------------------- (b) pipeline

interface Broker {
  readonly brokers: string
  readonly origin: string
  readonly stop: () => void
}

const startBroker = async (): Promise<Broker> => {
  const external = process.env.KAFKA_BROKERS?.trim()
  if (external) return { brokers: external, origin: "KAFKA_BROKERS", stop: () => undefined }
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
      // Already gone; nothing to do.
    }
    rmSync(home, { recursive: true, force: true })
  }
  // Stop the broker whatever way this process ends.
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      stop()
      process.exit(130)
    })
  }
  const started = performance.now()
  try {
    await promisify(execFile)("bash", [kafkaLocal, "start"], { env, timeout: 300_000 })
  } catch (cause) {
    stop()
    throw new Error(
      `scripts/kafka-local start failed:\n${(cause as { stderr?: string }).stderr ?? String(cause)}`,
    )
  }
  return {
    brokers: `127.0.0.1:${port}`,
    origin: `scripts/kafka-local on 127.0.0.1:${port}, started in ${((performance.now() - started) / 1000).toFixed(1)} s`,
    stop,
  }
}

const pipelineBench = async (events: number, pageSize: number, timeoutS: number) => {
  console.log(
    `\n(b) pipeline: Okta simulator (${int(events)} events) → runPipeline → Kafka, page_size ${pageSize}`,
  )
  const broker = await startBroker()
  row("broker", broker.origin)
  const prefix = `bench-${randomUUID().slice(0, 8)}`
  const topics = topicsOf(prefix)
  const admin = new Kafka({
    clientId: "bench-offsets",
    brokers: broker.brokers.split(","),
    logLevel: logLevel.NOTHING,
  }).admin()
  /** Sum over partitions of the last stable offset (the admin client lists offsets read_committed). */
  const lastStableOffset = (topic: string) =>
    Effect.promise(() =>
      admin.fetchTopicOffsets(topic).then(
        (partitions) => partitions.reduce((sum, p) => sum + Number(p.offset), 0),
        () => 0,
      ),
    )
  try {
    await admin.connect()
    const result = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const setupStart = performance.now()
          const simulator = yield* startOktaSimulator({
            historySize: events,
            seed: 3,
            rateLimit: 1_000_000_000,
          })
          row("simulator history generated", `${((performance.now() - setupStart) / 1000).toFixed(1)} s`)
          const loaded = yield* parseConfig(
            "bench",
            minimalConfig({
              kafka: benchKafka(broker.brokers, prefix, 1),
              poll: { interval: "1s", page_size: pageSize, jitter: 0 },
              log_level: "warn",
              accounts: oktaAccounts(simulator, 1),
            }),
            {},
          )
          return yield* Effect.gen(function* () {
            const health = yield* StreamHealth
            const rss = rssPeak()
            const start = performance.now()
            const pipeline = yield* Effect.forkScoped(
              runPipeline({ minBackoff: "200 millis", maxBackoff: "2 seconds" }),
            )
            const deadline = start + timeoutS * 1000
            let firstRecordAt: number | undefined
            let lso = 0
            let publishedTotal = 0
            // Done when the broker shows every event to read_committed readers AND the connector has
            // committed them all: the LSO alone also counts one transaction marker per committed page.
            while (lso < events || publishedTotal < events) {
              if (performance.now() > deadline) {
                return yield* Effect.fail(
                  new Error(
                    `timed out after ${timeoutS} s: LSO ${lso}, published ${publishedTotal} of ${events}`,
                  ),
                )
              }
              yield* Effect.sleep("25 millis")
              lso = yield* lastStableOffset(topics.activities)
              const streams = yield* health.snapshot
              publishedTotal = streams.reduce((sum, h) => sum + h.published_total, 0)
              // A stream that keeps failing will not finish: say why now rather than at the timeout.
              const failing = streams.find((h) => h.consecutive_failures >= 5)
              if (failing) {
                return yield* Effect.fail(
                  new Error(
                    `the account stream failed ${failing.consecutive_failures} times in a row ` +
                      `(${publishedTotal} of ${events} published, activities LSO ${lso}): ${failing.last_error}`,
                  ),
                )
              }
              if (firstRecordAt === undefined && lso > 0) firstRecordAt = performance.now()
              rss.sample()
            }
            const end = performance.now()
            yield* Fiber.interrupt(pipeline)
            const pages = simulator.requests().filter((r) => r.status === 200).length
            return {
              elapsedMs: end - start,
              startupMs: (firstRecordAt ?? end) - start,
              lso,
              publishedTotal,
              pages,
              loginFailed: yield* lastStableOffset(topics.login_failed),
              deadLetters: yield* lastStableOffset(topics.dead_letter),
              rssPeak: rss.get(),
            }
          }).pipe(Effect.provide(appLayers(loaded, broker.brokers.split(","))))
        }),
      ),
    )
    const seconds = result.elapsedMs / 1000
    const steadyS = (result.elapsedMs - result.startupMs) / 1000
    row("elapsed (start → all committed)", `${seconds.toFixed(2)} s`)
    row(
      "  of which until first record",
      `${(result.startupMs / 1000).toFixed(2)} s (topics, producer init, checkpoints)`,
    )
    row("activities/s (overall)", int(events / seconds))
    row("activities/s (after first record)", steadyS > 0 ? int(events / steadyS) : "n/a")
    row(
      "pages/s (HTTP 200 from the provider)",
      `${(result.pages / seconds).toFixed(1)} (${result.pages} pages)`,
    )
    row(
      "activities LSO / connector's count",
      `${int(result.lso)} / ${int(result.publishedTotal)} (LSO also counts ${int(result.lso - result.publishedTotal)} transaction markers)`,
    )
    row(
      "login_failed / dead-letter LSO",
      `${int(result.loginFailed)} / ${int(result.deadLetters)} (incl. transaction markers)`,
    )
    row("peak RSS (sampled, this phase)", mib(result.rssPeak))
    row("peak RSS (process so far)", mib(maxRss()))

    const commitEveryMs = result.elapsedMs / Math.max(1, result.pages)
    console.log(
      `\n(b') Kafka's own producer (ProducerPerformance), same broker, ${int(events)} of the same activities, ` +
        `acks=all, transactional, a commit every ${commitEveryMs.toFixed(0)} ms (the connector's rate)`,
    )
    try {
      const tool = await producerToolBench(broker.brokers, events, commitEveryMs)
      row("mean activity size", `${tool.meanBytes.toFixed(0)} bytes`)
      row("its summary", tool.summary)
      if (tool.perSecond !== undefined)
        row(
          "the connector's share of it",
          `${((events / seconds / tool.perSecond) * 100).toFixed(1)} % (overall), ${
            steadyS > 0 ? ((events / steadyS / tool.perSecond) * 100).toFixed(1) : "n/a"
          } % (after first record)`,
        )
    } catch (cause) {
      row("not measured", cause instanceof Error ? (cause.message.split("\n")[0] ?? "") : String(cause))
    }
  } finally {
    await admin.disconnect().catch(() => undefined)
    broker.stop()
  }
}

/**
 * Kafka's own producer benchmark (what kafka-producer-perf-test.sh runs) on the same broker, with the same
 * records: the activities this run's Okta history maps to, one JSON per line, and the connector's producer
 * settings that matter (acks=all, idempotent, transactional, committing about as often as it commits pages).
 */
const producerToolBench = async (brokers: string, events: number, commitEveryMs: number) => {
  const kafka = Either.getOrThrow(parseConfig("bench", minimalConfig(), {})).config.kafka
  const { events: raw } = inputEvents(Math.min(events, 20_000))
  const activities = routePage(benchAccount, raw, kafka)
    .messages.filter((m) => m.topic === kafka.topics.activities)
    .map((m) => String(m.message.value))
  const dir = mkdtempSync(join(os.tmpdir(), "siem-connector-bench-payloads-"))
  const payloads = join(dir, "activities.jsonl")
  writeFileSync(payloads, activities.join("\n"))
  const meanBytes = activities.reduce((sum, a) => sum + Buffer.byteLength(a), 0) / activities.length
  // The broker creates no topic by itself; one partition, as the connector's topics in (b).
  const topic = `bench-tool-${randomUUID().slice(0, 8)}`
  const admin = new Kafka({
    clientId: "bench-tool",
    brokers: brokers.split(","),
    logLevel: logLevel.NOTHING,
  }).admin()
  await admin.connect()
  await admin
    .createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] })
    .finally(() => admin.disconnect())
  try {
    const { stdout } = await promisify(execFile)(
      "bash",
      [
        kafkaLocal,
        "tool",
        "org.apache.kafka.tools.ProducerPerformance",
        "--bootstrap-server",
        brokers,
        "--topic",
        topic,
        "--num-records",
        String(events),
        "--throughput",
        "-1",
        "--payload-file",
        payloads,
        "--transactional-id",
        `bench-tool-${randomUUID().slice(0, 8)}`,
        "--transaction-duration-ms",
        String(Math.max(1, Math.round(commitEveryMs))),
        "--command-property",
        "acks=all",
        "enable.idempotence=true",
        `batch.size=${BROKER_DEFAULT_MAX_BATCH - 1_000}`,
        "linger.ms=5",
      ],
      { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 },
    )
    // Its summary: "N records sent, R records/sec (M MB/sec), A ms avg latency, …".
    const summary = stdout
      .trim()
      .split("\n")
      .reverse()
      .find((line) => line.includes("records sent"))
    const perSecond = summary?.match(/([\d.]+) records\/sec/)?.[1]
    return {
      meanBytes,
      perSecond: perSecond === undefined ? undefined : Number(perSecond),
      summary: summary ?? stdout.trim().split("\n").at(-1) ?? "",
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

// ---------------------------------------------------------------------------------------------- (c) checkpoints

const checkpointBench = async (accounts: number, commits: number) => {
  console.log(`\n(c) checkpoints: ${int(commits)} commits of ${int(accounts)} accounts, then read to the end`)
  const broker = await startBroker()
  row("broker", broker.origin)
  const prefix = `bench-${randomUUID().slice(0, 8)}`
  const kafkaConfig = (checkpoints: string) =>
    Either.getOrThrow(
      parseConfig(
        "bench",
        minimalConfig({
          kafka: { ...benchKafka(broker.brokers, prefix, 1), topics: { ...topicsOf(prefix), checkpoints } },
        }),
        {},
      ),
    ).config.kafka
  const asCreated = kafkaConfig(`${prefix}.checkpoints-as-created`)
  const kafkaDefaults = kafkaConfig(`${prefix}.checkpoints-kafka-segment-defaults`)
  const client = new Kafka({
    clientId: "bench-checkpoints",
    brokers: broker.brokers.split(","),
    logLevel: logLevel.NOTHING,
  })
  const admin = client.admin()
  const producer = client.producer()
  try {
    await admin.connect()
    await producer.connect()
    await Effect.runPromise(
      ensureTopics(asCreated, []).pipe(
        Effect.provide(KafkaClient.layer(asCreated, broker.brokers.split(","))),
      ),
    )
    // What the connector created before segment sizes were set: compaction with Kafka's segment defaults.
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: kafkaDefaults.topics.checkpoints,
          numPartitions: 1,
          configEntries: checkpointTopicSettings.filter((s) => !s.name.startsWith("segment.")),
        },
      ],
    })
    const ids = Array.from({ length: accounts }, () => randomUUID())
    // An Okta-sized checkpoint: a next link with its cursor, the filters, the totals.
    const checkpointOf = (n: number) => {
      const id = ids[n % accounts] ?? ""
      return encodeCheckpoint({
        version: 1,
        integrated_account_id: id,
        integration: "okta",
        filters: {},
        position: `https://example.okta.com/api/v1/logs?after=${randomBytes(24).toString("base64url")}&limit=1000&sortOrder=ASCENDING&since=2026-01-01T00%3A00%3A00.000Z`,
        updated_at: new Date().toISOString(),
        sequence: Math.floor(n / accounts) + 1,
        owner: "bench",
        last_created_at: new Date().toISOString(),
        published_total: n,
        dead_lettered_total: 0,
        gaps: [],
      })
    }
    const writeStart = performance.now()
    // One batch per send stays under the broker's default message.max.bytes (1 MiB).
    const batch = 1_000
    for (let n = 0; n < commits; n += batch) {
      const messages = Array.from({ length: Math.min(batch, commits - n) }, (_, i) => {
        const value = checkpointOf(n + i)
        return { key: ids[(n + i) % accounts] ?? "", value }
      })
      for (const topic of [asCreated.topics.checkpoints, kafkaDefaults.topics.checkpoints])
        await producer.send({ topic, messages })
    }
    row(
      "written (each topic)",
      `${int(commits)} checkpoints, ${mib(checkpointOf(0).length * commits)}, in ${((performance.now() - writeStart) / 1000).toFixed(1)} s`,
    )
    // The cleaner leaves records younger than min.compaction.lag.ms (60 s) alone and looks every 15 s.
    const waitS = 90
    row("waiting for the cleaner", `${waitS} s`)
    await new Promise((r) => setTimeout(r, waitS * 1000))
    for (const [label, config] of [
      ["as the connector creates it (16 MiB / 1 h segments)", asCreated],
      ["Kafka's segment defaults (1 GiB / 7 days)", kafkaDefaults],
    ] as const) {
      const start = performance.now()
      const read = await Effect.runPromise(
        readCheckpoints(config.topics, "bench", { stableWithin: "30 seconds" }).pipe(
          Effect.provide(KafkaClient.layer(config, broker.brokers.split(","))),
        ),
      )
      row(
        `read to the end: ${label}`,
        `${((performance.now() - start) / 1000).toFixed(2)} s (${int(read.latest.size)} accounts' latest)`,
      )
    }
    // After a broker outage every account's stream resynchronises at once.
    const resyncs = Math.min(accounts, 100)
    const own = await timed(() =>
      Effect.runPromise(
        Effect.forEach(
          Array.from({ length: resyncs }),
          () => readCheckpoints(asCreated.topics, "bench", { stableWithin: "30 seconds" }),
          { concurrency: "unbounded" },
        ).pipe(Effect.provide(KafkaClient.layer(asCreated, broker.brokers.split(",")))),
      ),
    )
    row(`${resyncs} resynchronisations at once, a read each`, `${(own / 1000).toFixed(2)} s`)
    const shared = await timed(() =>
      Effect.runPromise(
        Effect.flatMap(CheckpointStore, (store) =>
          Effect.forEach(Array.from({ length: resyncs }), () => store.readShard(0), {
            concurrency: "unbounded",
          }),
        ).pipe(
          Effect.provide(
            CheckpointStore.kafka(asCreated).pipe(
              Layer.provide(KafkaClient.layer(asCreated, broker.brokers.split(","))),
            ),
          ),
        ),
      ),
    )
    row(`${resyncs} resynchronisations at once, sharing the next read`, `${(shared / 1000).toFixed(2)} s`)
  } finally {
    await producer.disconnect().catch(() => undefined)
    await admin.disconnect().catch(() => undefined)
    broker.stop()
  }
}

const timed = async (run: () => Promise<unknown>) => {
  const start = performance.now()
  await run()
  return performance.now() - start
}

// ---------------------------------------------------------------------------------------------- (d) accounts

/**
 * Many accounts in one process: `accounts` Okta accounts (one simulator, `history` events each) through
 * runPipeline, until every account is caught up; then one poll interval idle. Each account has its own
 * transactional producer, so this shows what a thousand of them cost: start-up, memory, sockets, idle CPU.
 */
const accountsBench = async (accounts: number, history: number, timeoutS: number) => {
  console.log(
    `\n(d) accounts: ${int(accounts)} Okta accounts of ${int(history)} events each → runPipeline → Kafka`,
  )
  const broker = await startBroker()
  row("broker", broker.origin)
  const prefix = `bench-${randomUUID().slice(0, 8)}`
  const sockets = () => {
    try {
      return readdirSync("/proc/self/fd").filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith("socket:")
        } catch {
          return false
        }
      }).length
    } catch {
      return Number.NaN
    }
  }
  const pollInterval = 30
  try {
    const result = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simulator = yield* startOktaSimulator({
            historySize: history,
            seed: 5,
            rateLimit: 1_000_000_000,
          })
          const loaded = yield* parseConfig(
            "bench",
            minimalConfig({
              kafka: benchKafka(broker.brokers, prefix, 6),
              poll: { interval: `${pollInterval}s`, page_size: 1000 },
              log_level: "warn",
              accounts: oktaAccounts(simulator, accounts),
            }),
            {},
          )
          return yield* Effect.gen(function* () {
            const health = yield* StreamHealth
            const rss = rssPeak()
            const start = performance.now()
            const cpuStart = process.cpuUsage()
            const pipeline = yield* Effect.forkScoped(
              runPipeline({ minBackoff: "1 second", maxBackoff: "10 seconds" }),
            )
            const deadline = start + timeoutS * 1000
            let caughtUp = 0
            let published = 0
            while (caughtUp < accounts || published < accounts * history) {
              if (performance.now() > deadline)
                return yield* Effect.fail(
                  new Error(
                    `timed out after ${timeoutS} s: ${caughtUp} of ${accounts} caught up, ${published} published`,
                  ),
                )
              yield* Effect.sleep("100 millis")
              const streams = yield* health.snapshot
              caughtUp = streams.filter((h) => h.state === "caught_up").length
              published = streams.reduce((sum, h) => sum + h.published_total, 0)
              rss.sample()
            }
            const caughtUpMs = performance.now() - start
            const cpuToCatchUp = process.cpuUsage(cpuStart)
            const socketsOpen = sockets()
            // One poll interval (with its jitter) of nothing new: every account asks once and finds nothing.
            const idleStart = process.cpuUsage()
            const requestsBefore = simulator.requests().length
            yield* Effect.sleep(`${pollInterval + 5} seconds`)
            rss.sample()
            const idleCpu = process.cpuUsage(idleStart)
            const idleRequests = simulator.requests().length - requestsBefore
            yield* Fiber.interrupt(pipeline)
            return {
              caughtUpMs,
              cpuToCatchUpMs: (cpuToCatchUp.user + cpuToCatchUp.system) / 1000,
              published,
              socketsOpen,
              idleCpuMs: (idleCpu.user + idleCpu.system) / 1000,
              idleRequests,
              rssPeak: rss.get(),
            }
          }).pipe(Effect.provide(appLayers(loaded, broker.brokers.split(","))))
        }),
      ),
    )
    row(
      "all caught up after",
      `${(result.caughtUpMs / 1000).toFixed(1)} s (${int(result.published)} activities published)`,
    )
    row("CPU used until then", `${(result.cpuToCatchUpMs / 1000).toFixed(1)} s (this process)`)
    row("sockets open (this process)", int(result.socketsOpen))
    row(
      `idle, ${pollInterval + 5} s`,
      `${int(result.idleRequests)} provider requests, ${(result.idleCpuMs / 1000).toFixed(2)} s CPU (${((result.idleCpuMs / ((pollInterval + 5) * 1000)) * 100).toFixed(1)} % of one core)`,
    )
    row("peak RSS (sampled, this phase)", mib(result.rssPeak))
  } finally {
    broker.stop()
  }
}

// ---------------------------------------------------------------------------------------------- main

const main = async () => {
  const options = parseArgs(process.argv.slice(2))
  const cpus = os.cpus()
  const command = [
    `cd ${root} &&`,
    process.env.KAFKA_BROKERS ? `KAFKA_BROKERS=${process.env.KAFKA_BROKERS}` : "",
    `node ${relative(root, import.meta.filename)}`,
    `--records ${options.records} --events ${options.events} --page-size ${options.pageSize} --timeout ${options.timeoutS}`,
    options.only ? `--only ${options.only}` : "",
    options.only === "checkpoints"
      ? `--accounts ${options.accounts} --checkpoints ${options.checkpoints}`
      : "",
    options.only === "accounts" ? `--accounts ${options.accounts} --history ${options.history}` : "",
  ]
    .filter(Boolean)
    .join(" ")
  console.log("siem-activity-connector benchmarks")
  row("reproduce with", command)
  row("machine", `${cpus.length} CPUs (${cpus[0]?.model.trim() ?? "unknown"}), ${mib(os.totalmem())} RAM`)
  row("runtime", `node ${process.version} on ${os.platform()} ${os.release()} ${os.arch()}`)
  if (options.only === "checkpoints") return checkpointBench(options.accounts, options.checkpoints)
  if (options.only === "accounts") return accountsBench(options.accounts, options.history, options.timeoutS)
  if (options.only !== "pipeline") mappingBench(options.records, options.pageSize)
  if (options.only !== "mapping") await pipelineBench(options.events, options.pageSize, options.timeoutS)
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`\nbenchmark failed: ${error instanceof Error ? error.message : String(error)}`)
    process.exit(1)
  },
)
