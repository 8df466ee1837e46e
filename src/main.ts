import { existsSync } from "node:fs"
import { Cause, Effect, Layer, Logger, LogLevel, Option } from "effect"
import { parseArgs, UsageError, usage } from "./cli/args.ts"
import { runConnector } from "./cli/runConnector.ts"
import { quietKafkajsTimerWarning } from "./observability/quietKafkajsTimerWarning.ts"

quietKafkajsTimerWarning()

const args = parseArgs(process.argv.slice(2))
if (args instanceof UsageError) {
  console.error(args.message)
  process.exit(2)
}
if (args.command === "help") {
  console.log(usage)
  process.exit(0)
}

const defaultConfig = "config/connector.yaml"
const configPath =
  args.options.config ??
  process.env.CONNECTOR_CONFIG ??
  (existsSync(defaultConfig) ? defaultConfig : undefined)

// Until the config sets the level, start-up problems still print as JSON on stderr.
const bootLogging = Layer.merge(
  Logger.replace(Logger.defaultLogger, Logger.jsonLogger),
  Logger.minimumLogLevel(LogLevel.Info),
)

const fiber = Effect.runFork(runConnector(args, configPath).pipe(Effect.provide(bootLogging)))

// SIGTERM/SIGINT interrupt the program: open transactions finish or abort, producers and servers close, exit 0.
let stopping = false
for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    if (stopping) process.exit(130)
    stopping = true
    fiber.unsafeInterruptAsFork(fiber.id())
  })
}

fiber.addObserver((exit) => {
  if (exit._tag === "Success" || stopping) process.exit(0)
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure) && failure.value instanceof UsageError) {
    console.error(usage)
    process.exit(2)
  }
  process.exit(1)
})
