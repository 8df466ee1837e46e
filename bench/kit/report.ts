import { execFileSync } from "node:child_process"
import { readFileSync, writeFileSync } from "node:fs"
import os from "node:os"
import { join, resolve } from "node:path"

export const root = resolve(import.meta.dirname, "..", "..")
const benchmarksFile = join(root, "BENCHMARKS.md")

export const int = (n: number) => Math.round(n).toLocaleString("en-US")
export const fixed = (n: number, digits = 1) =>
  Number.isFinite(n)
    ? n.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits })
    : "n/a"
export const mib = (bytes: number) => `${fixed(bytes / 1024 / 1024)} MiB`

/** The 1-minute load average now: the machine is shared, so every figure carries the load it was taken under. */
export const load = () => fixed(os.loadavg()[0] ?? Number.NaN, 2)

/** The broker version scripts/kafka-local runs (its default, or KAFKA_VERSION), or what KAFKA_BROKERS names. */
export const brokerVersion = () => {
  if (process.env.KAFKA_BROKERS?.trim()) return `external (KAFKA_BROKERS=${process.env.KAFKA_BROKERS})`
  const script = readFileSync(join(root, "scripts", "kafka-local"), "utf8")
  const pinned = script.match(/KAFKA_VERSION="\$\{KAFKA_VERSION:-([^}]+)\}"/)?.[1] ?? "unknown"
  return `Apache Kafka ${process.env.KAFKA_VERSION ?? pinned} (scripts/kafka-local, KRaft, one node)`
}

/** What ran where: the lines every section of BENCHMARKS.md opens with. */
export const machine = (broker: boolean) => {
  const nproc = (() => {
    try {
      return execFileSync("nproc", { encoding: "utf8" }).trim()
    } catch {
      return String(os.availableParallelism())
    }
  })()
  return [
    `machine: ${nproc} CPUs (nproc; ${os.cpus()[0]?.model.trim() ?? "unknown"}), ${mib(os.totalmem())} RAM, node ${process.version}, ${os.platform()} ${os.release()}`,
    ...(broker ? [`broker: ${brokerVersion()}`] : []),
    `date: ${new Date().toISOString().replace(/\.\d+Z$/, "Z")}; load average at start ${load()}`,
  ]
}

export type Table = {
  readonly head: ReadonlyArray<string>
  readonly rows: ReadonlyArray<ReadonlyArray<string>>
}

export const markdownTable = ({ head, rows }: Table) =>
  [
    `| ${head.join(" | ")} |`,
    `|${head.map(() => "---").join("|")}|`,
    ...rows.map((cells) => `| ${cells.join(" | ")} |`),
  ].join("\n")

/**
 * Prints the section and writes it into BENCHMARKS.md between its markers (`<!-- bench:NAME -->` …
 * `<!-- /bench:NAME -->`), replacing the previous run's; a section not there yet is appended. The rest of the
 * file (the analysis, the other benchmarks' sections) is left as it is.
 */
export const writeSection = (name: string, body: string) => {
  const start = `<!-- bench:${name} -->`
  const end = `<!-- /bench:${name} -->`
  const section = `${start}\n${body.trim()}\n${end}`
  console.log(`\n${body.trim()}\n`)
  let text = ""
  try {
    text = readFileSync(benchmarksFile, "utf8")
  } catch {
    text = "# Benchmarks\n"
  }
  const from = text.indexOf(start)
  const to = text.indexOf(end)
  const next =
    from >= 0 && to > from
      ? `${text.slice(0, from)}${section}${text.slice(to + end.length)}`
      : `${text.trimEnd()}\n\n${section}\n`
  writeFileSync(benchmarksFile, next)
  console.log(`written to BENCHMARKS.md (section ${name})`)
}

/** The command that reproduces a run, as written in its section. */
export const command = (benchmark: string, options: string) =>
  `npm run bench -- ${benchmark}${options ? ` ${options}` : ""}`

/** Runs a benchmark's main to its end: exit 0, or 1 with the failure printed (a child process reports no more). */
export const runBenchmark = (main: () => Promise<void>) =>
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(
        `benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
      )
      process.exit(1)
    },
  )
