// Mapping: for each of the 13 integrations, realistic raw records (its simulator's generator, read through its
// adapter as the pipeline reads them) decoded, mapped and routed to Kafka messages, against JSON.parse of the
// same pages plus JSON.stringify of each record, in the same process, alternating, so the machine's load
// weighs on both. In memory: no broker.
//
//   npm run bench -- mapping [--records N] [--page-size N] [--rounds N]

import { writeFileSync } from "node:fs"
import { Session } from "node:inspector/promises"
import { setFlagsFromString } from "node:v8"
import { runInNewContext } from "node:vm"
import { Effect } from "effect"
import { routeRecords } from "../src/pipeline/routePage.ts"
import type { AnyActivityStream } from "../src/providers/ActivityStream.ts"
import { mapRecord } from "../src/providers/mapRecord.ts"
import { type Integration, providers } from "../src/providers/registry.ts"
import { simulators } from "../src/simulators/registry.ts"
import { optionsLine, parseOptions } from "./kit/args.ts"
import {
  cpuMsPerPass,
  freshPages,
  kafka,
  minimum,
  repeatsFor,
  type Sample,
  sampleOf,
} from "./kit/mappingSamples.ts"
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

// MAPPING_CPU_PROF=FILE: instead of the table, a V8 CPU profile (200 µs sampling) of connector passes alone over
// every integration's pages, parsed before the profiler starts: where decode + map + route spends its time,
// without the page parsing and the baseline beside it in the profile.
const profileOnly = async (samples: ReadonlyArray<Sample>, observedAt: string, file: string) => {
  const passes = 20
  const inputs = samples.map((sample) => Array.from({ length: passes }, () => freshPages(sample)))
  for (const sample of samples) connectorPass(sample, observedAt, freshPages(sample))
  const session = new Session()
  session.connect()
  await session.post("Profiler.enable")
  await session.post("Profiler.setSamplingInterval", { interval: 200 })
  await session.post("Profiler.start")
  for (const [i, sample] of samples.entries())
    for (const pages of inputs[i] ?? []) connectorPass(sample, observedAt, pages)
  const { profile } = await session.post("Profiler.stop")
  session.disconnect()
  writeFileSync(file, JSON.stringify(profile))
  console.log(`profile of ${passes} connector passes over each integration written to ${file}`)
}

const main = async () => {
  const header = machine(false)
  const integrations = Object.keys(simulators) as Integration[]
  const samples: Sample[] = []
  for (const integration of integrations) {
    const sample = await Effect.runPromise(sampleOf(integration, options))
    console.log(`${integration}: ${int(sample.records)} records in ${sample.pages.length} pages`)
    samples.push(sample)
  }
  const observedAt = new Date().toISOString()
  const profileFile = process.env.MAPPING_CPU_PROF
  if (profileFile !== undefined && profileFile !== "") return profileOnly(samples, observedAt, profileFile)
  const rows: string[][] = []
  let totalConnector = 0
  let totalBaseline = 0
  let totalRecords = 0
  for (const sample of samples) {
    // Warm-up, so that both sides are compiled before they are timed.
    // Each connector pass maps records parsed afresh (untimed), as each page arrives once: the same objects
    // mapped again would find what was kept of their first decode (mapRecord's, for failed sign-ins).
    const connectorRun = (pages: Sample["pages"]) => connectorPass(sample, observedAt, pages)
    const baselineRun = () => baselinePass(sample)
    const nothing = () => undefined
    for (let i = 0; i < 3; i++) {
      connectorRun(freshPages(sample))
      baselineRun()
    }
    const connectorRepeat = repeatsFor(connectorRun, () => freshPages(sample))
    const baselineRepeat = repeatsFor(baselineRun, nothing)
    const connector: number[] = []
    const baseline: number[] = []
    for (let round = 0; round < options.rounds; round++) {
      gc()
      connector.push(cpuMsPerPass(connectorRun, connectorRepeat, () => freshPages(sample)))
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
