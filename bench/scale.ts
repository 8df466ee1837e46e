// Scale: `--accounts` accounts of the 13 integrations, round robin, in one connector process (this one), each
// integration's simulator in a process of its own (request limits lifted: one simulator stands for every tenant
// of its provider). Every account reads `--history` events, then polls every `--interval` s. Measured: peak RSS
// until all are caught up, RSS at the start and end of a `--minutes` window after that, the sockets this
// process holds to the broker, the worst delay between two polls of one account against its interval, and the
// CPU this process spends per poll while nothing is new.
//
//   npm run bench -- scale [--accounts N] [--history N] [--interval SECONDS] [--minutes N] [--timeout SECONDS]

// As the connector's entry point does, before anything loads kafkajs (see kafkajsPartitionGrouping.ts).
import "../src/cli/kafkajsFirst.ts"
import { randomUUID } from "node:crypto"
import { readdirSync, readFileSync, readlinkSync } from "node:fs"
import { getHeapStatistics } from "node:v8"
import { Effect, Either, Fiber } from "effect"
import { appLayers } from "../src/cli/runConnector.ts"
import { parseConfig } from "../src/config/loadConfig.ts"
import { stopKafkajsIdleLoop } from "../src/pipeline/kafkajs/kafkajsIdleLoop.ts"
import { runPipeline } from "../src/pipeline/Pipeline.ts"
import { StreamHealth } from "../src/pipeline/StreamHealth.ts"
import { simulators } from "../src/simulators/registry.ts"
import { optionsLine, parseOptions } from "./kit/args.ts"
import { startBroker } from "./kit/broker.ts"
import { benchKafka, configText } from "./kit/config.ts"
import {
  command,
  fixed,
  int,
  load,
  machine,
  markdownTable,
  mib,
  runBenchmark,
  writeSection,
} from "./kit/report.ts"
import { type SimulatorProcess, startSimulatorProcess } from "./kit/simulator.ts"

stopKafkajsIdleLoop()

const options = parseOptions("scale", { accounts: 1_000, history: 5, interval: 30, minutes: 2, timeout: 600 })

/** Sockets of this process connected to `port` (its fds' inodes among /proc/net/tcp's entries to that port). */
const socketsTo = (port: number) => {
  const own = new Set<string>()
  for (const fd of readdirSync("/proc/self/fd")) {
    try {
      const link = readlinkSync(`/proc/self/fd/${fd}`)
      const inode = /^socket:\[(\d+)\]$/.exec(link)?.[1]
      if (inode) own.add(inode)
    } catch {
      // Closed meanwhile.
    }
  }
  const hexPort = port.toString(16).toUpperCase().padStart(4, "0")
  let count = 0
  for (const table of ["/proc/self/net/tcp", "/proc/self/net/tcp6"]) {
    let text = ""
    try {
      text = readFileSync(table, "utf8")
    } catch {
      continue
    }
    for (const line of text.split("\n").slice(1)) {
      const fields = line.trim().split(/\s+/)
      // rem_address is field 2 (ADDR:PORT), st field 3 (01: established), inode field 9.
      if (fields[2]?.endsWith(`:${hexPort}`) && fields[3] === "01" && own.has(fields[9] ?? "")) count++
    }
  }
  return count
}

const breakdown = (m: NodeJS.MemoryUsage) =>
  `${mib(m.heapUsed)} of ${mib(m.heapTotal)} / ${mib(m.external)} (${mib(m.arrayBuffers)})`

/** RSS by kind (/proc/self/status): anonymous memory, and file-backed pages (mostly the node binary's code). */
const rssKinds = () => {
  const status = readFileSync("/proc/self/status", "utf8")
  const kB = (field: string) =>
    Number(new RegExp(`^${field}:\\s+(\\d+) kB`, "m").exec(status)?.[1] ?? 0) * 1024
  return { anonymous: kB("RssAnon"), file: kB("RssFile") }
}

const main = async () => {
  // Before any broker, simulator or account: what loading the connector's code costs by itself.
  const rssLoaded = process.memoryUsage.rss()
  const header = machine(true)
  const broker = await startBroker()
  const integrations = Object.keys(simulators)
  const sims: SimulatorProcess[] = []
  try {
    for (const integration of integrations)
      sims.push(await startSimulatorProcess(options.history, 5, integration))
    const accounts = Array.from({ length: options.accounts }, (_, i) => {
      const sim = sims[i % sims.length] as SimulatorProcess
      const { organization_id: organization, ...settings } = sim.settings
      return {
        id: randomUUID(),
        integration: sim.integration,
        base_url: sim.baseUrl,
        credentials: sim.credentials,
        start_from: "earliest",
        ...(organization ? { organization_id: organization } : {}),
        ...(Object.keys(settings).length > 0 ? { settings } : {}),
      }
    })
    const prefix = `bench-${randomUUID().slice(0, 8)}`
    const loaded = Either.getOrThrow(
      parseConfig(
        "bench",
        configText({
          kafka: benchKafka(broker.brokers, prefix, 6),
          poll: { interval: `${options.interval}s` },
          log_level: "error",
          accounts,
        }),
        {},
      ),
    )
    const result = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const health = yield* StreamHealth
          // The whole breakdown is taken when RSS passes its peak: what the peak is made of (V8's heap, or
          // buffers outside it), not only how high it went.
          let peak = process.memoryUsage()
          // V8's heap at its largest (resident): the pages it grows to stay in RSS after they are freed, so
          // this, not the heap at the moment RSS peaks, is what the peak is made of.
          let largestHeap = 0
          const sample = () => {
            const rss = process.memoryUsage.rss()
            if (rss > peak.rss) peak = process.memoryUsage()
            largestHeap = Math.max(largestHeap, getHeapStatistics().total_physical_size)
            return rss
          }
          const start = performance.now()
          const pipeline = yield* Effect.forkScoped(
            runPipeline({ minBackoff: "1 second", maxBackoff: "10 seconds" }),
          )
          const deadline = start + options.timeout * 1000
          // Caught up: every account has read to the end of its provider's history once.
          for (;;) {
            yield* Effect.sleep("250 millis")
            sample()
            const streams = yield* health.snapshot
            const caughtUp = streams.filter((h) => h.state === "caught_up").length
            if (caughtUp >= options.accounts) break
            if (performance.now() > deadline) {
              const failing = streams.find((h) => h.last_error !== undefined)
              return yield* Effect.fail(
                new Error(
                  `timed out: ${caughtUp} of ${options.accounts} caught up${failing ? `; e.g. ${failing.integration}: ${failing.last_error}` : ""}`,
                ),
              )
            }
          }
          const caughtUpS = (performance.now() - start) / 1000
          const peakUntilCaughtUp = peak
          const largestHeapUntilCaughtUp = largestHeap
          const sockets = socketsTo(broker.port ?? 0)
          // The window: every poll seen as a new last_page_at of its account.
          const rssAtStart = process.memoryUsage.rss()
          const cpuStart = process.cpuUsage()
          const lastPoll = new Map<string, number>()
          const worstGap = new Map<string, { integration: string; gapMs: number }>()
          let polls = 0
          const windowStart = performance.now()
          const windowEnd = windowStart + options.minutes * 60_000
          // RSS at the end of each minute of the window: flat or not.
          const rssByMinute: number[] = []
          while (performance.now() < windowEnd) {
            yield* Effect.sleep("250 millis")
            const rss = sample()
            if (performance.now() - windowStart >= (rssByMinute.length + 1) * 60_000) {
              rssByMinute.push(rss)
              console.error(`minute ${rssByMinute.length}: RSS ${mib(rss)}, load ${load()}`)
            }
            for (const h of yield* health.snapshot) {
              const at = h.last_page_at === undefined ? undefined : Date.parse(h.last_page_at)
              const before = lastPoll.get(h.integrated_account_id)
              if (at === undefined || at === before) continue
              if (before !== undefined) {
                polls++
                const gap = at - before
                if (gap > (worstGap.get(h.integrated_account_id)?.gapMs ?? 0))
                  worstGap.set(h.integrated_account_id, { integration: h.integration, gapMs: gap })
              }
              lastPoll.set(h.integrated_account_id, at)
            }
          }
          const cpu = process.cpuUsage(cpuStart)
          const atEnd = process.memoryUsage()
          const kindsAtEnd = rssKinds()
          const v8Malloced = getHeapStatistics().malloced_memory
          yield* Fiber.interrupt(pipeline)
          const byIntegration = new Map<string, number>()
          for (const { integration, gapMs } of worstGap.values())
            byIntegration.set(integration, Math.max(byIntegration.get(integration) ?? 0, gapMs))
          return {
            caughtUpS,
            peakUntilCaughtUp,
            largestHeapUntilCaughtUp,
            peak,
            sockets,
            rssAtStart,
            atEnd,
            kindsAtEnd,
            v8Malloced,
            rssByMinute,
            polls,
            cpuMs: (cpu.user + cpu.system) / 1000,
            worst: Math.max(0, ...byIntegration.values()),
            byIntegration,
            accountsPolledTwice: worstGap.size,
          }
        }).pipe(Effect.provide(appLayers(loaded, broker.brokers.split(",")))),
      ),
    )
    const intervalMs = options.interval * 1000
    writeSection(
      "scale",
      [
        "### Scale: many accounts of mixed integrations in one process",
        "",
        `\`${command("scale", optionsLine(options))}\``,
        "",
        ...header.map((line) => `- ${line}`),
        `- Node.js flags of this process: ${process.execArgv.length > 0 ? `\`${process.execArgv.join(" ")}\`` : "none"} (\`npm run bench\` passes those of the image's ENTRYPOINT)`,
        `- ${int(options.accounts)} accounts, the 13 integrations round robin, each simulator in a child process (request limits lifted), ${options.history} history events per account, poll interval ${options.interval} s (default jitter), 6 partitions; the window starts once every account has caught up`,
        "",
        markdownTable({
          head: ["what", "measured", "target"],
          rows: [
            ["all caught up after", `${fixed(result.caughtUpS)} s`, ""],
            ["peak RSS until then", mib(result.peakUntilCaughtUp.rss), "≤ 300 MB"],
            [
              "  of which V8 heap used of total / external (array buffers)",
              breakdown(result.peakUntilCaughtUp),
              "",
            ],
            ["  V8's heap at its largest until then (resident)", mib(result.largestHeapUntilCaughtUp), ""],
            [
              `RSS at the window's start → after ${options.minutes} min`,
              `${mib(result.rssAtStart)} → ${mib(result.atEnd.rss)} (peak ${mib(result.peak.rss)})`,
              "flat over 10 min",
            ],
            ["  each minute of the window", result.rssByMinute.map(mib).join(", "), ""],
            ["  at the end: V8 heap used of total / external (array buffers)", breakdown(result.atEnd), ""],
            [
              "  at the end: RSS anonymous / file-backed (the node binary's code) / V8's own malloc",
              `${mib(result.kindsAtEnd.anonymous)} / ${mib(result.kindsAtEnd.file)} / ${mib(result.v8Malloced)}`,
              "",
            ],
            ["RSS with the code loaded, before any account", mib(rssLoaded), ""],
            ["sockets to the broker (this process)", int(result.sockets), "bounded by shards, not accounts"],
            [
              "worst delay between two polls of one account",
              `${fixed(result.worst / 1000)} s = ${fixed(result.worst / intervalMs, 2)}× the interval (${int(result.accountsPolledTwice)} accounts polled twice or more)`,
              "≤ 2× the interval",
            ],
            [
              "CPU per idle poll (this process)",
              `${fixed(result.cpuMs / Math.max(1, result.polls), 2)} ms (${int(result.polls)} polls, ${fixed(result.cpuMs / 1000)} s CPU in ${options.minutes} min)`,
              "",
            ],
          ],
        }),
        "",
        `Worst poll delay by integration (s): ${[...result.byIntegration]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([integration, ms]) => `${integration} ${fixed(ms / 1000)}`)
          .join(", ")}. Load at the end: ${load()}.`,
      ].join("\n"),
    )
  } finally {
    for (const sim of sims) sim.stop()
    broker.stop()
  }
}

runBenchmark(main)
