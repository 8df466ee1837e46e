import { Data } from "effect"

export class UsageError extends Data.TaggedError("UsageError")<{ readonly message: string }> {}

export interface CliArgs {
  readonly command: "run" | "serve" | "backfill" | "help"
  readonly options: Readonly<Record<string, string>>
}

const known: Record<CliArgs["command"], ReadonlyArray<string>> = {
  run: ["config"],
  serve: ["config"],
  backfill: ["config", "account", "cursor", "since"],
  help: [],
}

export const usage = `usage:
  node src/main.ts run      [--config PATH]     pipeline + HTTP API (no config: embedded defaults with simulators)
  node src/main.ts serve    --config PATH       HTTP API only (no Kafka)
  node src/main.ts backfill --config PATH --account ID (--cursor NEXT_CURSOR | --since ISO_INSTANT)
The config path may also come from CONNECTOR_CONFIG.`

/** `--name value` and `--name=value` options after a command word. */
export const parseArgs = (argv: ReadonlyArray<string>): CliArgs | UsageError => {
  const [command = "run", ...rest] = argv
  if (command === "help" || command === "--help" || command === "-h") return { command: "help", options: {} }
  if (!(command in known)) return new UsageError({ message: `unknown command ${command}\n${usage}` })
  const options: Record<string, string> = {}
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i] ?? ""
    const match = /^--([a-z-]+)(?:=(.*))?$/.exec(arg)
    if (!match?.[1]) return new UsageError({ message: `unexpected argument ${arg}\n${usage}` })
    const name = match[1]
    if (!known[command as CliArgs["command"]].includes(name)) {
      return new UsageError({ message: `unknown option --${name} for ${command}\n${usage}` })
    }
    const value = match[2] ?? rest[++i]
    if (value === undefined) return new UsageError({ message: `--${name} needs a value` })
    options[name] = value
  }
  return { command: command as CliArgs["command"], options }
}
