// Endpoint: requests/s and latency of `GET /unified/user-directory/activities` through the connector's HTTP API
// (`node FLAGS src/main.ts serve`, a process of its own started with the image's Node.js flags, as deployed),
// next to the same Okta simulator (its own process) asked directly for the same page, in the same run: the
// difference is what the endpoint adds.
//
//   npm run bench -- endpoint [--seconds N] [--connections N] [--limit N] [--history N]

import { spawn } from "node:child_process"
import { randomUUID } from "node:crypto"
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import os from "node:os"
import { join } from "node:path"
import { createInterface } from "node:readline"
import { Pool } from "undici"
import { optionsLine, parseOptions } from "./kit/args.ts"
import { benchApiKey, configText } from "./kit/config.ts"
import { productionNodeFlags } from "./kit/productionFlags.ts"
import {
  command,
  fixed,
  int,
  load,
  machine,
  markdownTable,
  root,
  runBenchmark,
  writeSection,
} from "./kit/report.ts"
import { startSimulatorProcess } from "./kit/simulator.ts"

const options = parseOptions("endpoint", { seconds: 20, connections: 10, limit: 50, history: 5_000 })

interface Run {
  readonly label: string
  readonly requests: number
  readonly failed: number
  readonly seconds: number
  readonly latencies: number[]
  /** When each request was sent, ms since the epoch, in the order of `latencies`: to line them up with GC traces. */
  readonly sentAt: number[]
  readonly load: string
  /** CPU the serve process used during the phase (user + system), ms; undefined for the simulator's phases. */
  readonly serveCpuMs: number | undefined
}

/**
 * User + system CPU of a process so far, in ms, from /proc/PID/stat (fields 14 and 15, in clock ticks of
 * 1/100 s on Linux): CPU time is what load disturbs least, and the serve process is another process, so
 * its own `process.cpuUsage` is out of reach. Undefined where there is no /proc.
 */
const processCpuMs = (pid: number | undefined): number | undefined => {
  if (pid === undefined) return undefined
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8")
    // The command name (field 2) may hold spaces: count fields from after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ")
    return (Number(fields[11]) + Number(fields[12])) * 10
  } catch {
    return undefined
  }
}

/** `connections` clients, each asking `path` again as soon as answered, for `seconds`. */
const hammer = async (
  label: string,
  origin: string,
  path: string,
  headers: Record<string, string>,
  cpuOf: () => number | undefined = () => undefined,
): Promise<Run> => {
  const pool = new Pool(origin, { connections: options.connections })
  const latencies: number[] = []
  const sentAt: number[] = []
  let failed = 0
  const ask = async () => {
    const start = performance.now()
    const response = await pool.request({ method: "GET", path, headers })
    await response.body.text()
    if (response.statusCode !== 200) failed++
    return [start, performance.now() - start] as const
  }
  // Warm-up: connections open, both sides' code compiled.
  for (let i = 0; i < 50; i++) await ask()
  const cpuBefore = cpuOf()
  const start = performance.now()
  const end = start + options.seconds * 1000
  await Promise.all(
    Array.from({ length: options.connections }, async () => {
      while (performance.now() < end) {
        const [sent, latency] = await ask()
        latencies.push(latency)
        sentAt.push(performance.timeOrigin + sent)
      }
    }),
  )
  const seconds = (performance.now() - start) / 1000
  const cpuAfter = cpuOf()
  await pool.close()
  const serveCpuMs = cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore
  return { label, requests: latencies.length, failed, seconds, latencies, sentAt, load: load(), serveCpuMs }
}

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN

/** The connector's `serve` command on a config of one account on the simulator; its API's origin. */
const startServe = (dir: string, simulator: { baseUrl: string; credentials: unknown }, accountId: string) =>
  new Promise<{ origin: string; pid: number | undefined; stop: () => Promise<void> }>((resolve, reject) => {
    const file = join(dir, "connector.yaml")
    writeFileSync(
      file,
      configText({
        // Every connection may call the provider at once: the per-account cap would answer the rest 429.
        server: { replay: { max_concurrent_per_account: options.connections } },
        accounts: [
          {
            id: accountId,
            integration: "okta",
            base_url: simulator.baseUrl,
            credentials: simulator.credentials,
          },
        ],
      }),
    )
    // SERVE_CPU_PROF=DIR: the serve process writes a V8 CPU profile there when it ends (`node --cpu-prof`).
    const profile = process.env.SERVE_CPU_PROF
    // SERVE_NODE_FLAGS="--trace-gc …": more Node.js flags for the serve process (what it prints to stdout goes
    // to SERVE_STDOUT=FILE when set), to see where its time goes.
    const flags = (process.env.SERVE_NODE_FLAGS ?? "").split(" ").filter((flag) => flag !== "")
    const stdoutFile = process.env.SERVE_STDOUT
    const child = spawn(
      process.execPath,
      [
        // As the image starts it (its heap sizing decides how often the collector pauses a request).
        ...productionNodeFlags(),
        ...(profile ? ["--cpu-prof", `--cpu-prof-dir=${profile}`] : []),
        ...flags,
        join(root, "src", "main.ts"),
        "serve",
        "--config",
        file,
      ],
      { stdio: ["ignore", "pipe", "inherit"] },
    )
    const kill = () => child.kill()
    process.once("exit", kill)
    // One SIGTERM, then the wait for its graceful end (a second signal would cut it short, profile unwritten).
    const stop = () =>
      new Promise<void>((ended) => {
        process.off("exit", kill)
        if (child.exitCode !== null || child.signalCode !== null) return ended()
        child.once("exit", () => ended())
        child.kill()
      })
    child.once("exit", (code) => reject(new Error(`serve ended (${code}) before listening`)))
    if (stdoutFile !== undefined) child.stdout.pipe(createWriteStream(stdoutFile))
    createInterface({ input: child.stdout }).on("line", (line) => {
      try {
        const entry = JSON.parse(line) as { msg?: string; port?: number }
        if (entry.msg === "HTTP API listening")
          resolve({ origin: `http://127.0.0.1:${entry.port}`, pid: child.pid, stop })
      } catch {
        // A banner line, not a log entry.
      }
    })
  })

const main = async () => {
  const header = machine(false)
  const dir = mkdtempSync(join(os.tmpdir(), "siem-connector-bench-endpoint-"))
  const simulator = await startSimulatorProcess(options.history, 7)
  const accountId = randomUUID()
  const serve = await startServe(dir, simulator, accountId)
  const runs: Run[] = []
  try {
    const token = String((simulator.credentials as Record<string, string>).api_token)
    const simulatorUrl = new URL(simulator.baseUrl)
    // The page the endpoint asks Okta for: the first `limit` events, oldest first.
    const direct = () =>
      hammer(
        "the simulator directly",
        simulatorUrl.origin,
        `/api/v1/logs?limit=${options.limit}&sortOrder=ASCENDING`,
        {
          authorization: `SSWS ${token}`,
        },
      )
    const endpoint = () =>
      hammer(
        "through the connector's endpoint",
        serve.origin,
        `/unified/user-directory/activities?integrated_account_id=${accountId}&limit=${options.limit}`,
        { authorization: `Bearer ${benchApiKey}` },
        () => processCpuMs(serve.pid),
      )
    // Alternated, so that a change in the machine's load falls on both.
    runs.push(await direct(), await endpoint(), await direct(), await endpoint())
  } finally {
    await serve.stop()
    simulator.stop()
    rmSync(dir, { recursive: true, force: true })
  }
  const merged = (label: string) => {
    const of = runs.filter((r) => r.label === label)
    const latencies = of.flatMap((r) => r.latencies).sort((a, b) => a - b)
    return {
      label,
      requests: latencies.length,
      failed: of.reduce((n, r) => n + r.failed, 0),
      perSecond: latencies.length / of.reduce((s, r) => s + r.seconds, 0),
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      load: of.map((r) => r.load).join(", "),
      serveCpuMsPerRequest: of.every((r) => r.serveCpuMs !== undefined)
        ? of.reduce((n, r) => n + (r.serveCpuMs ?? 0), 0) / of.reduce((n, r) => n + r.requests, 0)
        : undefined,
    }
  }
  const sim = merged("the simulator directly")
  const api = merged("through the connector's endpoint")
  // The tail's shape, on the console only: where p99 sits among the slow requests.
  for (const label of [sim.label, api.label]) {
    const sorted = runs
      .filter((r) => r.label === label)
      .flatMap((r) => r.latencies)
      .sort((a, b) => a - b)
    const at = [50, 90, 95, 98, 99, 99.5, 99.9].map((p) => `p${p} ${fixed(percentile(sorted, p), 2)}`)
    console.log(`${label}: ${at.join(", ")}, max ${fixed(sorted.at(-1) ?? Number.NaN, 2)} ms`)
  }
  // BENCH_LATENCIES=FILE: every request's send time (ms since the epoch) and latency, phase by phase.
  const latenciesFile = process.env.BENCH_LATENCIES
  if (latenciesFile !== undefined)
    writeFileSync(
      latenciesFile,
      JSON.stringify(runs.map(({ label, sentAt, latencies }) => ({ label, sentAt, latencies }))),
    )
  const rows = [sim, api].map((m) => [
    m.label,
    int(m.requests),
    int(m.failed),
    fixed(m.perSecond),
    fixed(m.p50),
    fixed(m.p99),
    m === api ? `+${fixed(api.p50 - sim.p50)} / +${fixed(api.p99 - sim.p99)}` : "",
    m.serveCpuMsPerRequest === undefined ? "" : fixed(m.serveCpuMsPerRequest, 2),
    m.load,
  ])
  writeSection(
    "endpoint",
    [
      "### Endpoint: requests/s and latency through the connector, against the simulator's own",
      "",
      `\`${command("endpoint", optionsLine(options))}\``,
      "",
      ...header.map((line) => `- ${line}`),
      `- an Okta simulator of ${int(options.history)} events in a child process; the connector's \`serve\` command (HTTP API only, default log level) in another, started with the image's Node.js flags (\`${productionNodeFlags().join(" ")}\`, from the Dockerfile's ENTRYPOINT), one account on it, \`server.replay.max_concurrent_per_account\` raised to the connections; ${options.connections} keep-alive connections (undici) asking again as soon as answered, ${options.seconds} s per phase after 50 warm-up requests, simulator and endpoint phases alternated twice`,
      "- serve CPU ms/request: the `serve` process's user + system CPU over the timed phases (/proc/PID/stat, 10 ms ticks) divided by their requests",
      `- the endpoint's first page of ${options.limit} (\`integrated_account_id\`, \`limit\`), against the simulator's same page (\`/api/v1/logs?limit=${options.limit}\`) with the same token`,
      "",
      markdownTable({
        head: [
          "path",
          "requests",
          "non-200",
          "requests/s",
          "p50 ms",
          "p99 ms",
          "added p50 / p99 ms",
          "serve CPU ms/request",
          "load",
        ],
        rows,
      }),
    ].join("\n"),
  )
}

runBenchmark(main)
