import { Cause, HashMap, Layer, List, Logger, LogLevel } from "effect"
import { pino } from "pino"

/**
 * JSON logs through pino. Effect's `Effect.log*` calls land here with their annotations as fields.
 * Secrets never reach a log: the connector does not log credentials, headers or cursors, and pino's
 * redaction removes them if a field by those names ever slips into an annotation.
 */
export const makeRootLogger = (level: string, destination?: pino.DestinationStream) =>
  pino(
    {
      level,
      base: { service: "siem-activity-connector" },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: {
        paths: [
          "authorization",
          "*.authorization",
          "headers",
          "*.headers",
          "credentials",
          "*.credentials",
          "password",
          "*.password",
          "api_token",
          "access_token",
          "client_secret",
          "refresh_token",
          "private_key",
          "assertion",
          "client_assertion",
          "cursor",
          "next_cursor",
        ],
        censor: "[redacted]",
      },
    },
    destination,
  )

const pinoLevel = (level: LogLevel.LogLevel): "trace" | "debug" | "info" | "warn" | "error" | "fatal" => {
  switch (level._tag) {
    case "Trace":
      return "trace"
    case "Debug":
      return "debug"
    case "Warning":
      return "warn"
    case "Error":
      return "error"
    case "Fatal":
      return "fatal"
    default:
      return "info"
  }
}

export const pinoLogger = (root: pino.Logger) =>
  Logger.make(({ logLevel, message, annotations, cause, spans }) => {
    const fields: Record<string, unknown> = Object.fromEntries(HashMap.toEntries(annotations))
    if (!Cause.isEmpty(cause)) fields.cause = Cause.pretty(cause, { renderErrorCause: true })
    const span = List.head(spans)
    if (span._tag === "Some") fields.span = span.value.label
    const text = Array.isArray(message) ? message.map(String).join(" ") : String(message)
    root[pinoLevel(logLevel)](fields, text)
  })

export const loggingLayer = (level: string, destination?: pino.DestinationStream) => {
  const root = makeRootLogger(level, destination)
  return Layer.merge(
    Logger.replace(Logger.defaultLogger, pinoLogger(root)),
    Logger.minimumLogLevel(LogLevel.fromLiteral(effectLevel(level))),
  )
}

const effectLevel = (level: string): LogLevel.Literal =>
  (({ trace: "Trace", debug: "Debug", info: "Info", warn: "Warning", error: "Error" })[
    level
  ] as LogLevel.Literal) ?? "Info"
