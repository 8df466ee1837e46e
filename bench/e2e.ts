// End to end: an Okta simulator in its own process (history generated before the clock starts) → the connector's
// pipeline (runPipeline, as `npm start` runs it) → a real broker, transactional, acks=all, until the activities
// topic shows every event to read_committed readers. With 1 account, then 10 accounts (the same number of
// events in all, a simulator of a tenth as many each reads whole). Beside it in the same run, on the same broker,
// with the same activity values and as many per transaction as a page holds:
//   - kafkajs alone: one transactional producer, a transaction per page (the client's ceiling);
//   - Kafka's own ProducerPerformance (the Java client), --transactional-id, a commit as often as the connector's.
//
//   npm run bench -- e2e [--events N] [--page-size N] [--timeout SECONDS]

import "../src/cli/kafkajsFirst.ts"
import { randomUUID } from "node:crypto"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { Session } from "node:inspector/promises"
import os from "node:os"
import { join } from "node:path"
import { constants, PerformanceObserver } from "node:perf_hooks"
import { GCProfiler } from "node:v8"
import { Effect, Either, Fiber, Schema } from "effect"
import { Kafka, logLevel } from "kafkajs"
import { appLayers } from "../src/cli/runConnector.ts"
import { parseConfig } from "../src/config/loadConfig.ts"
import type { IntegratedAccount } from "../src/domain/IntegratedAccount.ts"
import { stopKafkajsIdleLoop } from "../src/pipeline/kafkajs/kafkajsIdleLoop.ts"
import { runPipeline } from "../src/pipeline/Pipeline.ts"
import { routePage } from "../src/pipeline/routePage.ts"
import { StreamHealth } from "../src/pipeline/StreamHealth.ts"
import { okta } from "../src/providers/okta/index.ts"
import { optionsLine, parseOptions } from "./kit/args.ts"
import { kafkaTool, startBroker } from "./kit/broker.ts"
import { benchKafka, configText, defaultKafka, oktaAccounts, topicsOf } from "./kit/config.ts"
import {
  command,
  fixed,
  int,
  load,
  machine,
  markdownTable,
  runBenchmark,
  writeSection,
} from "./kit/report.ts"
import { startSimulatorProcess } from "./kit/simulator.ts"

stopKafkajsIdleLoop()

const options = parseOptions("e2e", { events: 20_000, pageSize: 1_000, timeout: 600 })

interface Measured {
  readonly label: string
  readonly records: number
  readonly bytes: number
  readonly seconds: number
  readonly transactions: number
  readonly load: string
  /** The connector's: seconds until its first page was committed (topics, group, producers, checkpoint read). */
  readonly startup?: { readonly seconds: number; readonly published: number }
  /** Main-thread CPU ms per 1,000 activities: what load on the shared machine disturbs least. */
  readonly cpuPerThousand: number
  /** The collector's work, per 1,000 activities: see gcWork. */
  readonly gc?: GcWork
}

interface GcWork {
  /** Pauses on the main thread, ms, and of them the full collections' (mark-compact), with their count. */
  readonly pauseMs: number
  readonly fullPauseMs: number
  readonly full: number
  /** Scavenges (young-generation collections), and the MB they kept (copied within or promoted out of it). */
  readonly scavenges: number
  readonly survivedMb: number
  /** MB allocated in the young generation (new space), from its fill before each scavenge. */
  readonly youngMb: number
}

// The collector's work while a run is timed. The pauses are wall time (under load a parallel scavenge waits for
// its helper threads), so next to them come what load does not change: how many collections, how much the
// young generation took in, and how much its scavenges kept, the work a scavenge does being the copying of what
// survives. v8.GCProfiler reports each collection with the heap's spaces before and after it.
const gcWork = () => {
  let pauseMs = 0
  let fullPauseMs = 0
  let full = 0
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      pauseMs += entry.duration
      if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) {
        full++
        fullPauseMs += entry.duration
      }
    }
  })
  observer.observe({ entryTypes: ["gc"] })
  const profiler = new GCProfiler()
  profiler.start()
  return {
    stop: (records: number): GcWork => {
      observer.disconnect()
      const perThousand = (n: number) => n / (records / 1000)
      const used = (spaces: ReadonlyArray<{ spaceName: string; spaceUsedSize: number }>, name: string) =>
        spaces.find((space) => space.spaceName === name)?.spaceUsedSize ?? 0
      let scavenges = 0
      let survived = 0
      let young = 0
      let youngAfter = 0
      for (const { gcType, beforeGC, afterGC } of profiler.stop()?.statistics ?? []) {
        const before = beforeGC.heapSpaceStatistics
        const after = afterGC.heapSpaceStatistics
        young += Math.max(0, used(before, "new_space") - youngAfter)
        youngAfter = used(after, "new_space")
        if (gcType === "Scavenge") {
          scavenges++
          survived += youngAfter + Math.max(0, used(after, "old_space") - used(before, "old_space"))
        }
      }
      return {
        pauseMs: perThousand(pauseMs),
        fullPauseMs: perThousand(fullPauseMs),
        full,
        scavenges,
        survivedMb: perThousand(survived / 1e6),
        youngMb: perThousand(young / 1e6),
      }
    },
  }
}

// E2E_ACCOUNTS=1 (or 10, or 1,10): only those runs; E2E_JAVA=0: no Java run. For alternating pairs of one case;
// the table written is then that case's only.
const accountRuns = (process.env.E2E_ACCOUNTS ?? "1,10").split(",").map(Number)
const withJava = process.env.E2E_JAVA !== "0"

// E2E_CPU_PROF=DIR: a V8 CPU profile of each connector run and each kafkajs-alone run, written there as
// NAME.cpuprofile. Only the timed part of each run is sampled (not the broker's start, the values read back or
// Java's run), so the profile is the same work the CPU column counts. E2E_CPU_PROF_INTERVAL: µs between samples.
// E2E_HEAP_PROF=DIR: a sampling heap profile of the same parts (NAME.heapprofile), every allocation sampled
// whether a collection freed it since or not: where the garbage the collector spends its time on comes from.
const profileDir = process.env.E2E_CPU_PROF
const heapProfileDir = process.env.E2E_HEAP_PROF
const profiled = async <A>(name: string, run: () => Promise<A>): Promise<A> => {
  const cpu = profileDir !== undefined && profileDir !== ""
  const heap = heapProfileDir !== undefined && heapProfileDir !== ""
  if (!cpu && !heap) return run()
  const session = new Session()
  session.connect()
  if (cpu) {
    await session.post("Profiler.enable")
    await session.post("Profiler.setSamplingInterval", {
      interval: Number(process.env.E2E_CPU_PROF_INTERVAL ?? 250),
    })
    await session.post("Profiler.start")
  }
  if (heap)
    await session.post("HeapProfiler.startSampling", {
      samplingInterval: 64 * 1024,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    })
  try {
    return await run()
  } finally {
    if (cpu) {
      const { profile } = await session.post("Profiler.stop")
      mkdirSync(profileDir, { recursive: true })
      writeFileSync(join(profileDir, `${name}.cpuprofile`), JSON.stringify(profile))
    }
    if (heap) {
      const { profile } = await session.post("HeapProfiler.stopSampling")
      mkdirSync(heapProfileDir, { recursive: true })
      writeFileSync(join(heapProfileDir, `${name}.heapprofile`), JSON.stringify(profile))
    }
    session.disconnect()
  }
}

let kafkajsRuns = 0

const admin = (brokers: string) =>
  new Kafka({ clientId: "bench-e2e", brokers: brokers.split(","), logLevel: logLevel.NOTHING }).admin()

/** The connector: `accounts` Okta accounts on one simulator process holding `events / accounts` events. */
const connectorRun = async (brokers: string, accounts: number): Promise<Measured & { values: string[] }> => {
  const perAccount = Math.floor(options.events / accounts)
  const total = perAccount * accounts
  const simulator = await startSimulatorProcess(perAccount, 3)
  const prefix = `bench-${randomUUID().slice(0, 8)}`
  const topics = topicsOf(prefix)
  const offsets = admin(brokers)
  await offsets.connect()
  /** Sum over partitions of the last stable offset (the admin client lists offsets read_committed). */
  const lastStable = (topic: string) =>
    Effect.promise(() =>
      offsets.fetchTopicOffsets(topic).then(
        (partitions) => partitions.reduce((sum, p) => sum + Number(p.offset), 0),
        () => 0,
      ),
    )
  try {
    const loaded = Either.getOrThrow(
      parseConfig(
        "bench",
        configText({
          kafka: benchKafka(brokers, prefix, accounts === 1 ? 1 : 6),
          poll: { interval: "1s", page_size: options.pageSize, jitter: 0 },
          log_level: "warn",
          accounts: oktaAccounts(simulator, accounts),
        }),
        {},
      ),
    )
    let startup: Measured["startup"]
    const gc = gcWork()
    const cpuBefore = process.threadCpuUsage()
    const seconds = await profiled(`connector-${accounts}`, () =>
      Effect.runPromise(
        Effect.scoped(
          Effect.gen(function* () {
            const health = yield* StreamHealth
            const start = performance.now()
            const pipeline = yield* Effect.forkScoped(
              runPipeline({ minBackoff: "200 millis", maxBackoff: "2 seconds" }),
            )
            const deadline = start + options.timeout * 1000
            let lso = 0
            let published = 0
            // Done when read_committed readers see every event and the connector has committed them all (the
            // LSO alone also counts a transaction marker per page).
            while (lso < total || published < total) {
              if (performance.now() > deadline)
                return yield* Effect.fail(
                  new Error(`timed out: LSO ${lso}, published ${published} of ${total}`),
                )
              yield* Effect.sleep("25 millis")
              lso = yield* lastStable(topics.activities)
              const streams = yield* health.snapshot
              published = streams.reduce((sum, h) => sum + h.published_total, 0)
              if (startup === undefined && published > 0)
                startup = { seconds: (performance.now() - start) / 1000, published }
              const failing = streams.find((h) => h.consecutive_failures >= 5)
              if (failing)
                return yield* Effect.fail(new Error(`an account stream keeps failing: ${failing.last_error}`))
            }
            const elapsed = (performance.now() - start) / 1000
            yield* Fiber.interrupt(pipeline)
            return elapsed
          }).pipe(Effect.provide(appLayers(loaded, brokers.split(",")))),
        ),
      ),
    )
    const cpu = process.threadCpuUsage(cpuBefore)
    const collector = gc.stop(total)
    const values = await activityValues(simulator.baseUrl, simulator.credentials, perAccount)
    const meanBytes = values.reduce((n, v) => n + Buffer.byteLength(v), 0) / values.length
    return {
      label: `the connector, ${accounts} account${accounts === 1 ? "" : "s"}`,
      records: total,
      bytes: meanBytes * total,
      seconds,
      transactions: Math.ceil(perAccount / options.pageSize) * accounts,
      load: load(),
      ...(startup === undefined ? {} : { startup }),
      cpuPerThousand: (cpu.user + cpu.system) / 1000 / (total / 1000),
      gc: collector,
      values,
    }
  } finally {
    await offsets.disconnect().catch(() => undefined)
    simulator.stop()
  }
}

/** The activity values the connector published, read back from its simulator the way it reads them. */
const activityValues = async (
  baseUrl: string,
  credentials: Readonly<Record<string, string>>,
  count: number,
) => {
  const account: IntegratedAccount = {
    id: randomUUID(),
    integration: "okta",
    baseUrl: new URL(baseUrl),
    credentials: Schema.decodeUnknownSync(okta.credentials)(credentials),
    settings: {},
  }
  const raw: unknown[] = []
  let url: string | undefined = `${baseUrl}/api/v1/logs?limit=1000`
  while (url !== undefined && raw.length < count) {
    const response: Response = await fetch(url, {
      headers: { authorization: `SSWS ${credentials.token ?? credentials.api_token ?? ""}` },
    })
    const page = (await response.json()) as unknown[]
    if (!Array.isArray(page) || page.length === 0) break
    raw.push(...page)
    url = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get("link") ?? "")?.[1]
  }
  const kafka = defaultKafka()
  return routePage(account, raw, kafka)
    .messages.filter((m) => m.topic === kafka.topics.activities)
    .map((m) => String(m.message.value))
}

/** kafkajs alone: one transactional producer, the same values, a transaction per page of `pageSize`. */
const kafkajsRun = async (
  brokers: string,
  values: ReadonlyArray<string>,
  total: number,
): Promise<Measured> => {
  const topic = `bench-kafkajs-${randomUUID().slice(0, 8)}`
  const a = admin(brokers)
  await a.connect()
  await a
    .createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] })
    .finally(() => a.disconnect())
  const producer = new Kafka({
    clientId: "bench-kafkajs",
    brokers: brokers.split(","),
    logLevel: logLevel.NOTHING,
  }).producer({
    transactionalId: topic,
    idempotent: true,
    maxInFlightRequests: 1,
  })
  await producer.connect()
  const key = randomUUID()
  let bytes = 0
  const gc = gcWork()
  const cpuBefore = process.threadCpuUsage()
  const start = performance.now()
  await profiled(`kafkajs-${++kafkajsRuns}`, async () => {
    for (let sent = 0; sent < total; sent += options.pageSize) {
      const messages = Array.from({ length: Math.min(options.pageSize, total - sent) }, (_, i) => {
        const value = values[(sent + i) % values.length] ?? ""
        bytes += Buffer.byteLength(value)
        return { key, value }
      })
      const transaction = await producer.transaction()
      // As the connector does (produceBatches.ts): one request's batch stays under the broker's message.max.bytes.
      for (let from = 0, bytesInSend = 0, i = 0; i <= messages.length; i++) {
        const size =
          i < messages.length ? Buffer.byteLength(messages[i]?.value ?? "") : Number.POSITIVE_INFINITY
        if (i > from && (i === messages.length || bytesInSend + size > 900_000)) {
          await transaction.send({ topic, acks: -1, messages: messages.slice(from, i) })
          from = i
          bytesInSend = 0
        }
        bytesInSend += size
      }
      await transaction.commit()
    }
  })
  const seconds = (performance.now() - start) / 1000
  const cpu = process.threadCpuUsage(cpuBefore)
  const collector = gc.stop(total)
  await producer.disconnect()
  return {
    label: "kafkajs alone",
    records: total,
    bytes,
    seconds,
    transactions: Math.ceil(total / options.pageSize),
    load: load(),
    cpuPerThousand: (cpu.user + cpu.system) / 1000 / (total / 1000),
    gc: collector,
  }
}

/** Kafka's ProducerPerformance: the same values, acks=all, idempotent, a commit every `commitEveryMs`. */
const javaRun = async (
  brokers: string,
  values: ReadonlyArray<string>,
  total: number,
  commitEveryMs: number,
): Promise<Measured> => {
  const topic = `bench-java-${randomUUID().slice(0, 8)}`
  const a = admin(brokers)
  await a.connect()
  await a
    .createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 1 }] })
    .finally(() => a.disconnect())
  const dir = mkdtempSync(join(os.tmpdir(), "siem-connector-bench-payloads-"))
  const payloads = join(dir, "activities.jsonl")
  writeFileSync(payloads, values.join("\n"))
  try {
    const stdout = await kafkaTool("org.apache.kafka.tools.ProducerPerformance", [
      "--bootstrap-server",
      brokers,
      "--topic",
      topic,
      "--num-records",
      String(total),
      "--throughput",
      "-1",
      "--payload-file",
      payloads,
      "--transactional-id",
      topic,
      "--transaction-duration-ms",
      String(Math.max(1, Math.round(commitEveryMs))),
      "--command-property",
      "acks=all",
      "enable.idempotence=true",
      "linger.ms=5",
    ])
    // Its summary: "N records sent, R records/sec (M MB/sec), …".
    const summary =
      stdout
        .trim()
        .split("\n")
        .reverse()
        .find((line) => line.includes("records sent")) ?? ""
    const perSecond = Number(summary.match(/([\d.]+) records\/sec/)?.[1])
    const meanBytes = values.reduce((n, v) => n + Buffer.byteLength(v), 0) / values.length
    return {
      label: "Kafka's ProducerPerformance (Java)",
      records: total,
      bytes: meanBytes * total,
      seconds: total / perSecond,
      transactions: Number.NaN,
      load: load(),
      cpuPerThousand: Number.NaN,
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const main = async () => {
  const header = machine(true)
  const broker = await startBroker()
  const rows: string[][] = []
  try {
    for (const accounts of accountRuns) {
      const connector = await connectorRun(broker.brokers, accounts)
      const kafkajs = await kafkajsRun(broker.brokers, connector.values, connector.records)
      const java = withJava
        ? await javaRun(
            broker.brokers,
            connector.values,
            connector.records,
            (connector.seconds * 1000) / connector.transactions,
          )
        : undefined
      const rate = (m: Measured) => m.records / m.seconds
      for (const m of java === undefined ? [connector, kafkajs] : [connector, kafkajs, java])
        rows.push([
          `${accounts} account${accounts === 1 ? "" : "s"}`,
          m.label,
          int(m.records),
          int(rate(m)),
          fixed(m.bytes / m.seconds / 1_000_000),
          m === connector
            ? `${fixed(rate(connector) / rate(kafkajs), 2)}× kafkajs${java === undefined ? "" : `, ${fixed(rate(connector) / rate(java), 2)}× Java`}`
            : "",
          m.startup === undefined
            ? ""
            : `${fixed(m.startup.seconds, 2)} s; then ${int((m.records - m.startup.published) / (m.seconds - m.startup.seconds))}/s = ${fixed((m.records - m.startup.published) / (m.seconds - m.startup.seconds) / rate(kafkajs), 2)}× kafkajs`,
          Number.isNaN(m.cpuPerThousand) ? "" : int(m.cpuPerThousand),
          m.gc === undefined
            ? ""
            : `${fixed(m.gc.pauseMs, 1)} ms (${m.gc.full} full: ${fixed(m.gc.fullPauseMs, 1)}); ${m.gc.scavenges} scavenges kept ${fixed(m.gc.survivedMb, 1)} of ${fixed(m.gc.youngMb, 1)} MB`,
          m.load,
        ])
      console.log(
        rows
          .slice(-3)
          .map((r) => r.join("  "))
          .join("\n"),
      )
    }
  } finally {
    broker.stop()
  }
  writeSection(
    "e2e",
    [
      "### End to end: simulator process → connector → broker, against kafkajs alone and Java's producer",
      "",
      `\`${command("e2e", optionsLine(options))}\``,
      "",
      ...header.map((line) => `- ${line}`),
      `- ${int(options.events)} Okta events in all (1 account: one simulator of that many; 10 accounts: each reads a simulator of a tenth), page size ${options.pageSize}, transactional, acks=all; the simulator in a child process with its history generated before the clock starts; timed from the pipeline's start (topics, producer init, checkpoint read included) until the activities topic's last stable offset shows every event`,
      "- kafkajs alone: one transactional idempotent producer, the same activity values, one transaction per page-size of them; Java: `ProducerPerformance --transactional-id … --transaction-duration-ms` set to the connector's time per page, acks=all, the same values as a payload file",
      "- MB/s: activity values only (the connector also writes each login_failed again, and a checkpoint per page)",
      "- CPU: the Node process's main thread (`process.threadCpuUsage`) per 1,000 activities over the run (the connector's start-up included; its simulator is another process); load on the machine disturbs it far less than the rates",
      `- Node.js flags of this process: ${process.execArgv.length > 0 ? `\`${process.execArgv.join(" ")}\`` : "none"} (\`npm run bench\` passes those of the image's ENTRYPOINT: the connector's young generation and heap growth as deployed)`,
      "- GC per 1,000 (activities), while the run was timed: the collector's pauses on the main thread (`gc` performance entries; wall time, so load stretches them), of them the full collections' (mark-compact, with their count); then what load does not change (`v8.GCProfiler`): how many scavenges, and how many MB they kept (copied or promoted: their work) of the MB allocated in the young generation",
      "- start-up: until the connector's first page is committed (topics checked, shard group joined, producers initialised, checkpoints read); the rate after it counts the pages committed after the first one",
      "",
      markdownTable({
        head: [
          "accounts",
          "producer",
          "activities",
          "activities/s",
          "MB/s",
          "ratio",
          "start-up",
          "CPU ms / 1,000",
          "GC per 1,000",
          "load",
        ],
        rows,
      }),
    ].join("\n"),
  )
}

runBenchmark(main)
