// The end-to-end bench's floor: what the connector cannot avoid doing that "kafkajs alone" does not, measured as
// main-thread CPU per 1,000 activities on the e2e bench's own pages (an Okta simulator in its own process, its
// history generated before the clock starts). Three steps, each including the ones before it:
//   1. every page fetched over HTTP (undici's `request`, one keep-alive connection) and its body read as text;
//   2. the body parsed (`JSON.parse`);
//   3. each record written as JSON (`JSON.stringify`), the least a record's Kafka value costs.
// The least of `--rounds` rounds each. Prints only; the figures go into BENCHMARKS.md by hand (Round 5 under
// "What the pipeline should change").
//
//   node bench/e2eFloor.ts [--events N] [--page-size N] [--rounds N]

import { Agent, request } from "undici"
import { optionsLine, parseOptions } from "./kit/args.ts"
import { fixed, load } from "./kit/report.ts"
import { startSimulatorProcess } from "./kit/simulator.ts"

const options = parseOptions("e2eFloor", { events: 100_000, pageSize: 1_000, rounds: 5 })

type Step = "fetch + body" | "+ JSON.parse" | "+ JSON.stringify each record"
const steps: ReadonlyArray<Step> = ["fetch + body", "+ JSON.parse", "+ JSON.stringify each record"]

const main = async () => {
  const simulator = await startSimulatorProcess(options.events, 3)
  const dispatcher = new Agent({ connections: 1 })
  const authorization = `SSWS ${simulator.credentials.token ?? simulator.credentials.api_token ?? ""}`
  /** One pass over the simulator's whole history, doing `step`'s work on each page; main-thread CPU ms. */
  const pass = async (step: Step) => {
    let sink = 0
    let records = 0
    let url: string | undefined = `${simulator.baseUrl}/api/v1/logs?limit=${options.pageSize}`
    const before = process.threadCpuUsage()
    while (url !== undefined) {
      const response: Awaited<ReturnType<typeof request>> = await request(url, {
        dispatcher,
        headers: { authorization },
      })
      const text = await response.body.text()
      if (step !== "fetch + body") {
        const page = JSON.parse(text) as unknown[]
        if (page.length === 0) break
        records += page.length
        if (step === "+ JSON.stringify each record")
          for (const record of page) sink += JSON.stringify(record).length
      } else if (text === "[]") break
      // Okta sends one Link header per relation (self, next): undici gives several as an array.
      const link = response.headers.link
      const links = Array.isArray(link) ? link.join(",") : (link ?? "")
      url = /<([^>]+)>;\s*rel="next"/.exec(links)?.[1]
    }
    const cpu = process.threadCpuUsage(before)
    if (sink < 0) console.log(sink)
    return { ms: (cpu.user + cpu.system) / 1000, records }
  }
  try {
    // One unmeasured pass: the JIT and the simulator's caches, as the connector's pages after its first.
    await pass("+ JSON.stringify each record")
    const least = new Map<Step, number>()
    let records = 0
    for (let round = 0; round < options.rounds; round++)
      for (const step of steps) {
        const measured = await pass(step)
        if (process.env.E2E_FLOOR_VERBOSE) console.log(step, measured.ms.toFixed(0), measured.records)
        if (measured.records > 0) records = measured.records
        least.set(step, Math.min(least.get(step) ?? Number.POSITIVE_INFINITY, measured.ms))
      }
    console.log(`node bench/e2eFloor.ts ${optionsLine(options)}; load ${load()}`)
    for (const step of steps)
      console.log(
        `${step}: ${fixed(((least.get(step) ?? 0) / records) * 1000, 1)} ms of main-thread CPU per 1,000 activities (least of ${options.rounds})`,
      )
  } finally {
    await dispatcher.close()
    simulator.stop()
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error)
    process.exit(1)
  },
)
