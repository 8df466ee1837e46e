import { execFile } from "node:child_process"
import { resolve } from "node:path"
import { promisify } from "node:util"
import { Data, Effect } from "effect"

const run = promisify(execFile)
const script = resolve(import.meta.dirname, "../../scripts/kafka-local")

export class LocalKafkaFailed extends Data.TaggedError("LocalKafkaFailed")<{ readonly message: string }> {}

/**
 * The development broker from `scripts/kafka-local` (Apache Kafka jars from Maven Central, KRaft, one node),
 * for runs with no `kafka.brokers` configured. Started for the scope and stopped when it closes, unless it
 * was already running before.
 */
export const localKafka = (port = 9092) =>
  Effect.acquireRelease(
    Effect.gen(function* () {
      const env = { ...process.env, KAFKA_PORT: String(port) }
      const wasRunning = yield* Effect.promise(() =>
        run("bash", [script, "status"], { env }).then(
          () => true,
          () => false,
        ),
      )
      if (!wasRunning) {
        yield* Effect.logInfo("starting the local Kafka broker (scripts/kafka-local)…")
        yield* Effect.tryPromise({
          try: () => run("bash", [script, "start"], { env, timeout: 600_000 }),
          catch: (cause) =>
            new LocalKafkaFailed({
              message: `could not start the local Kafka broker: ${(cause as { stderr?: string }).stderr ?? String(cause)}`,
            }),
        })
      }
      return { brokers: [`127.0.0.1:${port}`], wasRunning, env }
    }),
    ({ wasRunning, env }) =>
      wasRunning
        ? Effect.void
        : Effect.promise(() => run("bash", [script, "stop"], { env }).catch(() => undefined)),
  )
