// Mapping: for each of the 13 integrations, realistic raw records (its simulator's generator, read through its
// adapter as the pipeline reads them) decoded, mapped and routed to Kafka messages, against JSON.parse of the
// same pages plus JSON.stringify of each record, in the same process, alternating, so the machine's load
// weighs on both. In memory: no broker.
//
//   npm run bench -- mapping [--records N] [--page-size N] [--rounds N]

import { randomUUID } from "node:crypto"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Effect, Either, Schema } from "effect"
import { providerClientsLayer } from "../src/auth/providerClients.ts"
import { parseConfig } from "../src/config/loadConfig.ts"
import type { IntegratedAccount } from "../src/domain/IntegratedAccount.ts"
import { routeRecords } from "../src/pipeline/routePage.ts"
import type { AnyActivityStream } from "../src/providers/ActivityStream.ts"
import { mapRecord } from "../src/providers/mapRecord.ts"
import { type AccountPage, pageAccount } from "../src/providers/pageAccount.ts"
import { type Integration, providers } from "../src/providers/registry.ts"
import { startBrowserStackSimulator } from "../src/simulators/browserstack/BrowserStackSimulator.ts"
import { simulators } from "../src/simulators/registry.ts"
import { startZoomSimulator } from "../src/simulators/zoom/ZoomSimulator.ts"
import { optionsLine, parseOptions } from "./kit/args.ts"
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

const options = parseOptions("mapping", { records: 2_000, pageSize: 100, rounds: 7 })

setFlagsFromString("--expose-gc")
const gc = runInNewContext("gc") as () => void

const kafka = Either.getOrThrow(
  parseConfig(
    "bench",
    `server: { api_keys: [bench-api-key-0123456789], cursor_secret: ${"x".repeat(32)} }\naccounts: []\n`,
    {},
  ),
).config.kafka

interface Sample {
  readonly integration: Integration
  readonly account: IntegratedAccount
  /** Pages as the adapter read them: each record's stream and raw form. */
  readonly pages: ReadonlyArray<ReadonlyArray<{ readonly stream: string; readonly raw: unknown }>>
  /** Each page as JSON text, for the parse + stringify baseline. */
  readonly bodies: ReadonlyArray<string>
  readonly records: number
  readonly bytes: number
}

/** Reads the integration's whole simulated history through its adapter, as the pipeline's page loop does. */
const sampleOf = (integration: Integration) =>
  Effect.scoped(
    Effect.gen(function* () {
      const adapter = providers[integration]
      const start = simulators[integration]
      if (start === undefined) return yield* Effect.dieMessage(`no simulator for ${integration}`)
      const seed = 11
      // Request limits lifted (Zoom's per second, BrowserStack's 15 a minute): reading is not what is measured.
      const sim = yield* integration === "zoom"
        ? startZoomSimulator({ seed, historySize: options.records, requestsPerSecond: 100_000 })
        : integration === "browserstack"
          ? startBrowserStackSimulator({
              seed,
              historySize: options.records,
              burst: 1_000_000,
              requestsPerMinute: 1_000_000,
            })
          : start({ seed, historySize: options.records })
      const account: IntegratedAccount = {
        id: randomUUID(),
        integration,
        baseUrl: new URL(sim.baseUrl),
        credentials: Schema.decodeUnknownSync(adapter.credentials)(sim.credentials),
        settings: sim.settings,
      }
      const pages: AccountPage[] = []
      let positions = {}
      for (let i = 0; i < 10_000; i++) {
        const page = yield* pageAccount(adapter, {
          account,
          filters: {},
          positions,
          limit: options.pageSize,
        }).pipe(Effect.provide(providerClientsLayer(providers, { retryBase: "10 millis" })))
        if (page.records.length > 0) pages.push(page)
        positions = page.positions
        if (!page.hasMore) break
      }
      const rawPages = pages.map((page) => page.records.map(({ stream, raw }) => ({ stream, raw })))
      // Records as they arrive: parsed from text, no object shared with the simulator or another record.
      const bodies = rawPages.map((page) => JSON.stringify(page.map(({ raw }) => raw)))
      const parsed = bodies.map((body, i) =>
        (JSON.parse(body) as unknown[]).map((raw, j) => ({ stream: rawPages[i]?.[j]?.stream ?? "", raw })),
      )
      return {
        integration,
        account,
        pages: parsed,
        bodies,
        records: parsed.reduce((n, page) => n + page.length, 0),
        bytes: bodies.reduce((n, body) => n + Buffer.byteLength(body), 0),
      } satisfies Sample
    }),
  )

/** decode + map + route of every page, as the page loop and the pipeline do it; the messages made, to use them. */
const connectorPass = (sample: Sample, observedAt: string, pages: Sample["pages"] = sample.pages) => {
  const streams = new Map<string, AnyActivityStream>(
    providers[sample.integration].streams.map((s) => [s.name, s as AnyActivityStream]),
  )
  let messages = 0
  for (const page of pages) {
    const records = page.map(({ stream, raw }) => {
      const mapping = streams.get(stream)
      if (mapping === undefined) throw new Error(`${sample.integration}: no stream ${stream}`)
      return { stream, raw, observedAt, mapped: mapRecord(mapping, sample.account, raw) }
    })
    messages += routeRecords(sample.account, records, kafka).messages.length
  }
  return messages
}

/** JSON.parse of each page's text and JSON.stringify of each record it holds. */
const baselinePass = (sample: Sample) => {
  let chars = 0
  for (const body of sample.bodies)
    for (const record of JSON.parse(body) as unknown[]) chars += JSON.stringify(record).length
  return chars
}

/**
 * The main thread's CPU time for one run of `pass`, in ms: on a shared, busy machine wall time counts the
 * time other processes held the core; the thread's own CPU time does not. Each sample repeats the pass until
 * it has taken at least 20 ms, so the timer's resolution does not weigh on small samples.
 */
const cpuMsPerPass = <I>(pass: (input: I) => unknown, repeat: number, input: () => I) => {
  const inputs = Array.from({ length: repeat }, input)
  const start = process.threadCpuUsage()
  for (const one of inputs) pass(one)
  const used = process.threadCpuUsage(start)
  return (used.user + used.system) / 1000 / repeat
}
const repeatsFor = <I>(pass: (input: I) => unknown, input: () => I) => {
  let repeat = 1
  while (cpuMsPerPass(pass, repeat, input) * repeat < 20) repeat *= 2
  return repeat
}
const minimum = (xs: number[]) => Math.min(...xs)

const main = async () => {
  const header = machine(false)
  const integrations = Object.keys(simulators) as Integration[]
  const samples: Sample[] = []
  for (const integration of integrations) {
    const sample = await Effect.runPromise(sampleOf(integration))
    console.log(`${integration}: ${int(sample.records)} records in ${sample.pages.length} pages`)
    samples.push(sample)
  }
  const observedAt = new Date().toISOString()
  const rows: string[][] = []
  let totalConnector = 0
  let totalBaseline = 0
  let totalRecords = 0
  for (const sample of samples) {
    // Warm-up, so that both sides are compiled before they are timed.
    // Each connector pass maps records parsed afresh (untimed), as each page arrives once: the same objects
    // mapped again would find what was kept of their first decode (mapRecord's, for failed sign-ins).
    const freshPages = () =>
      sample.bodies.map((body, i) =>
        (JSON.parse(body) as unknown[]).map((raw, j) => ({
          stream: sample.pages[i]?.[j]?.stream ?? "",
          raw,
        })),
      )
    const connectorRun = (pages: Sample["pages"]) => connectorPass(sample, observedAt, pages)
    const baselineRun = () => baselinePass(sample)
    const nothing = () => undefined
    for (let i = 0; i < 3; i++) {
      connectorRun(freshPages())
      baselineRun()
    }
    const connectorRepeat = repeatsFor(connectorRun, freshPages)
    const baselineRepeat = repeatsFor(baselineRun, nothing)
    const connector: number[] = []
    const baseline: number[] = []
    for (let round = 0; round < options.rounds; round++) {
      gc()
      connector.push(cpuMsPerPass(connectorRun, connectorRepeat, freshPages))
      gc()
      baseline.push(cpuMsPerPass(baselineRun, baselineRepeat, nothing))
    }
    // The least CPU a round took: what is left once other processes' interference is taken out.
    const c = minimum(connector)
    const b = minimum(baseline)
    totalConnector += c
    totalBaseline += b
    totalRecords += sample.records
    const perRecord = (ms: number) => fixed((ms * 1000) / sample.records, 2)
    rows.push([
      sample.integration,
      int(sample.records),
      int(sample.bytes / sample.records),
      perRecord(c),
      perRecord(b),
      `${fixed(c / b, 2)}×`,
      load(),
    ])
    console.log(rows.at(-1)?.join("  "))
  }
  rows.push([
    "**all 13**",
    int(totalRecords),
    "",
    fixed((totalConnector * 1000) / totalRecords, 2),
    fixed((totalBaseline * 1000) / totalRecords, 2),
    `**${fixed(totalConnector / totalBaseline, 2)}×**`,
    load(),
  ])
  writeSection(
    "mapping",
    [
      "### Mapping: decode + map + route against parse + stringify",
      "",
      `\`${command("mapping", optionsLine(options))}\``,
      "",
      ...header.map((line) => `- ${line}`),
      `- each integration's simulator history (seed 11, ${int(options.records)} events asked) read through its adapter in pages of ${options.pageSize}; the pages then kept as JSON text, parsed afresh (untimed) for each connector pass; the main thread's CPU time (\`process.threadCpuUsage\`, so that other processes on the busy machine do not count), the least of ${options.rounds} rounds of at least 20 ms each, the two sides alternating`,
      "- decode + map + route: `mapRecord` (the record schema's checks compiled from its AST, `src/providers/fastDecode.ts`, then `toActivity`) of every record, then `routeRecords` (the Kafka messages with their headers and values, the default settings) of every page, as the page loop and the pipeline do",
      "- parse + stringify: `JSON.parse` of every page's text and `JSON.stringify` of every record it holds",
      "",
      markdownTable({
        head: [
          "integration",
          "records",
          "bytes/record",
          "decode + map + route µs/record",
          "parse + stringify µs/record",
          "ratio",
          "load",
        ],
        rows,
      }),
    ].join("\n"),
  )
}

runBenchmark(main)
