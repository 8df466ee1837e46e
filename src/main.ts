import "./cli/kafkajsFirst.ts"
import * as NodeContext from "@effect/platform-node/NodeContext"
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Cause, Effect, Exit, Layer, Logger, LogLevel, Option } from "effect"
import { ExitCode, main } from "./cli/Cli.ts"

// Until the config sets the level, start-up problems still print as JSON (on stdout, as every log line).
const bootLogging = Layer.merge(
  Logger.replace(Logger.defaultLogger, Logger.jsonLogger),
  Logger.minimumLogLevel(LogLevel.Info),
)

// runMain: SIGTERM/SIGINT interrupt the program (open transactions finish or abort, producers and servers
// close) and exit 0; a usage error exits 2, any other failure 1 (its message is already on stderr).
NodeRuntime.runMain(main(process.argv).pipe(Effect.provide([NodeContext.layer, bootLogging])), {
  disableErrorReporting: true,
  // The logs are pino's JSON lines (observability/logging.ts); a second, pretty copy would only interleave.
  disablePrettyLogger: true,
  teardown: (exit, onExit) =>
    onExit(
      Exit.isSuccess(exit) || Cause.isInterruptedOnly(exit.cause)
        ? 0
        : Option.match(Cause.failureOption(exit.cause), {
            onNone: () => 1,
            onSome: (error) => (error instanceof ExitCode ? error.code : 1),
          }),
    ),
})
