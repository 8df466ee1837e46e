import { existsSync } from "node:fs"
import { Command, HelpDoc, Options, ValidationError } from "@effect/cli"
import { Console, Data, Effect, Option } from "effect"
import { type ConfigInvalid, loadConfigFile } from "../config/loadConfig.ts"
import { kafkaJsConfig } from "../pipeline/kafkajs/KafkaClient.ts"
import { type TailOptions, tail } from "../pipeline/kafkajs/tail.ts"
import {
  backfillCommand,
  CheckFailed,
  checkConfigCommand,
  runCommand,
  serveCommand,
  UsageError,
} from "./runConnector.ts"

// The command line on @effect/cli: parsing, `--help` per command, and usage errors. The handlers are in
// runConnector.ts and, for `tail`, the kafkajs adapter (src/pipeline/kafkajs/tail.ts).

const name = "node src/main.ts"

export const usage = `usage:
  ${name} run          [--config PATH]   pipeline + HTTP API (no config: embedded defaults with simulators)
  ${name} serve        --config PATH     HTTP API only (no Kafka)
  ${name} backfill     --config PATH --account ID (--cursor NEXT_CURSOR | --since ISO_INSTANT)
  ${name} tail         [--config PATH] [--topic T] [--follow] [--from-beginning] [--key ACCOUNT] [--brokers B]
  ${name} check-config --config PATH     validate the config and each account's credentials
The config path may also come from CONNECTOR_CONFIG. ${name} COMMAND --help for a command's options.`

const defaultConfig = "config/connector.yaml"

/** `--config PATH`, else CONNECTOR_CONFIG, else config/connector.yaml if it exists. */
const configOption = Options.text("config").pipe(
  Options.withDescription(
    "The config file (YAML). Default: $CONNECTOR_CONFIG, else config/connector.yaml if it exists.",
  ),
  Options.optional,
)
const configPath = (option: Option.Option<string>) =>
  Option.getOrElse(
    option,
    () => process.env.CONNECTOR_CONFIG ?? (existsSync(defaultConfig) ? defaultConfig : undefined),
  )

const described = (description: string, example: string) =>
  HelpDoc.blocks([HelpDoc.p(description), HelpDoc.p(`Example: ${example}`)])

const run = Command.make("run", { config: configOption }, ({ config }) =>
  runCommand(configPath(config)),
).pipe(
  Command.withDescription(
    described(
      "The pipeline (every enabled account into Kafka) and the HTTP API. With no config: a local broker and simulated providers, for development.",
      `${name} run --config config/connector.yaml`,
    ),
  ),
)

const serve = Command.make("serve", { config: configOption }, ({ config }) =>
  serveCommand(configPath(config)),
).pipe(
  Command.withDescription(
    described(
      "The HTTP API only: List Activities by cursor, no Kafka.",
      `${name} serve --config config/connector.yaml`,
    ),
  ),
)

const backfill = Command.make(
  "backfill",
  {
    config: configOption,
    account: Options.text("account").pipe(Options.withDescription("The integrated account id.")),
    cursor: Options.text("cursor").pipe(
      Options.withDescription("A next_cursor from the endpoint: republish from there."),
      Options.optional,
    ),
    since: Options.text("since").pipe(
      Options.withDescription("An ISO-8601 instant: republish what was created at or after it."),
      Options.optional,
    ),
  },
  ({ config, account, cursor, since }) =>
    Option.isSome(cursor)
      ? backfillCommand(configPath(config), account, { cursor: cursor.value })
      : Option.isSome(since)
        ? backfillCommand(configPath(config), account, { since: since.value })
        : new UsageError({ message: "backfill needs --account ID and one of --cursor or --since" }),
).pipe(
  Command.withDescription(
    described(
      "Republishes an account's history from a cursor or an instant, with its own transactional id; the live checkpoint is not touched.",
      `${name} backfill --config config/connector.yaml --account 00eb5ac2-c14a-40f3-80d1-5289533f2c8f --since 2026-11-01T00:00:00Z`,
    ),
  ),
)

/**
 * The cluster `tail` reads: the config's kafka section when there is a config (its TLS and SASL too, so a
 * secured cluster can be read), else plain brokers; `--brokers`, else KAFKA_BROKERS, overrides the config's.
 */
const tailKafka = (
  configFile: string | undefined,
  brokersOption: Option.Option<string>,
): Effect.Effect<{ readonly kafka: TailOptions["kafka"]; readonly groupIdPrefix: string }, ConfigInvalid> => {
  const listed = Option.orElse(brokersOption, () => Option.fromNullable(process.env.KAFKA_BROKERS)).pipe(
    Option.map((text) =>
      text
        .split(",")
        .map((b) => b.trim())
        .filter(Boolean),
    ),
  )
  return configFile === undefined
    ? Effect.succeed({
        kafka: {
          clientId: "siem-connector-tail",
          brokers: Option.getOrElse(listed, () => ["127.0.0.1:9092"]),
        },
        groupIdPrefix: "siem-activity-connector",
      })
    : Effect.map(loadConfigFile(configFile), ({ config }) => ({
        kafka: kafkaJsConfig(
          config.kafka,
          Option.getOrElse(listed, () => config.kafka.brokers ?? ["127.0.0.1:9092"]),
        ),
        groupIdPrefix: config.kafka.group_id_prefix,
      }))
}

const tailCommand = Command.make(
  "tail",
  {
    config: configOption,
    topic: Options.text("topic").pipe(
      Options.withDescription("The topic to print."),
      Options.withDefault("user-directory.activities"),
    ),
    brokers: Options.text("brokers").pipe(
      Options.withDescription(
        "Bootstrap brokers, comma-separated. Default: $KAFKA_BROKERS, else the config's kafka.brokers, else 127.0.0.1:9092.",
      ),
      Options.optional,
    ),
    fromBeginning: Options.boolean("from-beginning").pipe(
      Options.withDescription("Every record the topic holds, not only the last --lines of each partition."),
    ),
    follow: Options.boolean("follow").pipe(
      Options.withAlias("f"),
      Options.withDescription("Keep printing new records until Ctrl-C."),
    ),
    key: Options.text("key").pipe(
      Options.withDescription("Only this integrated account's records (the record key)."),
      Options.optional,
    ),
    lines: Options.integer("lines").pipe(
      Options.withAlias("n"),
      Options.withDescription("Records per partition to start with, without --from-beginning."),
      Options.withDefault(10),
    ),
  },
  (options) =>
    tailKafka(configPath(options.config), options.brokers).pipe(
      Effect.flatMap(({ kafka, groupIdPrefix }) =>
        tail({
          topic: options.topic,
          kafka,
          groupIdPrefix,
          fromBeginning: options.fromBeginning,
          follow: options.follow,
          key: Option.getOrUndefined(options.key),
          lines: options.lines,
        }),
      ),
      Effect.tapError((error) => Console.error(`tail: ${error.message}`)),
    ),
).pipe(
  Command.withDescription(
    described(
      "Prints a topic as JSON lines (read_committed): key, headers and value as JSON objects, one record a line.",
      "npm run tail -- --follow --key 00eb5ac2-c14a-40f3-80d1-5289533f2c8f | jq .value.action",
    ),
  ),
)

const checkConfig = Command.make("check-config", { config: configOption }, ({ config }) =>
  checkConfigCommand(configPath(config)),
).pipe(
  Command.withDescription(
    described(
      "Validates the config file, then each enabled account's credentials with one cheap authenticated request to its provider. One line per account; exit 1 if any fails. Starts no pipeline.",
      `${name} check-config --config config/connector.yaml`,
    ),
  ),
)

const help = Command.make("help", {}, () => Console.log(usage)).pipe(
  Command.withDescription("Prints the usage."),
)

const root = Command.make("siem-connector").pipe(
  Command.withSubcommands([run, serve, backfill, tailCommand, checkConfig, help]),
)

const cli = Command.run(root, { name: "SIEM activity connector", version: "0.1.0" })

/**
 * What a bad command line says, in the connector's words. @effect/cli has printed its own account of the
 * problem already; this adds the one line scripts and the tests look for, and the usage.
 */
const usageProblem = (argv: ReadonlyArray<string>, error: ValidationError.ValidationError) => {
  const [command, ...rest] = argv
  if (ValidationError.isCommandMismatch(error) && command !== undefined) return `unknown command ${command}`
  const unknown = rest.find(
    (arg) => arg.startsWith("--") && !/^--(help|version|wizard|completions)\b/.test(arg),
  )
  return unknown !== undefined
    ? `unknown option ${unknown.split("=")[0]} for ${command}`
    : "invalid command line"
}

/** The exit code a failure stands for: 2 for a usage error, 1 for anything else. */
export class ExitCode extends Data.TaggedError("ExitCode")<{ readonly code: number }> {}

/** `argv` as `process.argv` has it. With no command, `run`. */
export const main = (argv: ReadonlyArray<string>) => {
  const args = argv.slice(2)
  return cli([...argv.slice(0, 2), ...(args.length === 0 ? ["run"] : args)]).pipe(
    Effect.catchIf(ValidationError.isValidationError, (error) =>
      ValidationError.isHelpRequested(error)
        ? Effect.void
        : Effect.zipRight(
            Console.error(`${usageProblem(args, error)}\n${usage}`),
            Effect.fail(new ExitCode({ code: 2 })),
          ),
    ),
    Effect.catchIf(
      (error): error is UsageError => error instanceof UsageError,
      (error) =>
        Effect.zipRight(Console.error(`${error.message}\n${usage}`), Effect.fail(new ExitCode({ code: 2 }))),
    ),
    Effect.catchIf(
      (error): error is CheckFailed => error instanceof CheckFailed,
      () => Effect.fail(new ExitCode({ code: 1 })),
    ),
  )
}
