// Freshness: how long from the provider publishing an activity to a read_committed consumer reading it, at a
// 1 s poll. An Okta simulator in its own process publishes `--rate` events a second for `--seconds`; the
// connector's pipeline (in this process) polls it every second and publishes; a kafkajs consumer (read_committed,
// this process) takes each activity's latency as the time it is read less its `created_at` (the instant the
// simulator stamped it with; one machine, one clock).
//
//   npm run bench -- freshness [--seconds N] [--rate N]

// As the connector's entry point does, before anything loads kafkajs (see kafkajsPartitionGrouping.ts).
import "../src/cli/kafkajsFirst.ts"
import { randomUUID } from "node:crypto"
import { Effect, Either, Fiber } from "effect"
import { Kafka, logLevel } from "kafkajs"
import { appLayers } from "../src/cli/runConnector.ts"
import { parseConfig } from "../src/config/loadConfig.ts"
import { stopKafkajsIdleLoop } from "../src/pipeline/kafkajs/kafkajsIdleLoop.ts"
import { runPipeline } from "../src/pipeline/Pipeline.ts"
import { optionsLine, parseOptions } from "./kit/args.ts"
import { startBroker } from "./kit/broker.ts"
import { benchKafka, configText, oktaAccounts, topicsOf } from "./kit/config.ts"
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
import { startSimulatorProcess } from "./kit/simulator.ts"

stopKafkajsIdleLoop()

const options = parseOptions("freshness", { seconds: 60, rate: 20 })

const percentile = (sorted: ReadonlyArray<number>, p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN

const main = async () => {
  const header = machine(true)
  const broker = await startBroker()
  const simulator = await startSimulatorProcess(0, 9)
  const prefix = `bench-${randomUUID().slice(0, 8)}`
  const topics = topicsOf(prefix)
  const latencies: number[] = []
  let emitted = 0
  const loads: string[] = []
  try {
    const loaded = Either.getOrThrow(
      parseConfig(
        "bench",
        configText({
          kafka: benchKafka(broker.brokers, prefix, 1),
          poll: { interval: "1s", jitter: 0 },
          log_level: "warn",
          accounts: oktaAccounts(simulator, 1),
        }),
        {},
      ),
    )
    const kafka = new Kafka({
      clientId: "bench-freshness",
      brokers: broker.brokers.split(","),
      logLevel: logLevel.NOTHING,
    })
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const pipeline = yield* Effect.forkScoped(
            runPipeline({ minBackoff: "200 millis", maxBackoff: "2 seconds" }),
          )
          // The pipeline creates its topics at start; the consumer subscribes once they exist.
          const admin = kafka.admin()
          yield* Effect.promise(() => admin.connect())
          while (!(yield* Effect.promise(() => admin.listTopics())).includes(topics.activities))
            yield* Effect.sleep("200 millis")
          yield* Effect.promise(() => admin.disconnect())
          const consumer = kafka.consumer({
            groupId: `${prefix}-reader`,
            readUncommitted: false,
            maxWaitTimeInMs: 100,
          })
          yield* Effect.promise(async () => {
            await consumer.connect()
            await consumer.subscribe({ topic: topics.activities, fromBeginning: true })
            const joined = new Promise<void>((resolve) =>
              consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
            )
            await consumer.run({
              eachMessage: async ({ message }) => {
                const readAt = Date.now()
                const created = Date.parse(
                  (JSON.parse(String(message.value)) as { created_at: string }).created_at,
                )
                latencies.push(readAt - created)
              },
            })
            await joined
          })
          // Events spread evenly over each second, so their age at the next poll spans the interval.
          const start = performance.now()
          const every = 1000 / options.rate
          while (performance.now() - start < options.seconds * 1000) {
            simulator.emit(1)
            emitted++
            if (emitted % (options.rate * 10) === 0) loads.push(load())
            const next = start + emitted * every
            yield* Effect.sleep(`${Math.max(0, next - performance.now())} millis`)
          }
          // The last ones: a poll and a commit away.
          const until = performance.now() + 10_000
          while (latencies.length < emitted && performance.now() < until) yield* Effect.sleep("100 millis")
          yield* Effect.promise(() => consumer.disconnect())
          yield* Fiber.interrupt(pipeline)
        }).pipe(Effect.provide(appLayers(loaded, broker.brokers.split(",")))),
      ),
    )
  } finally {
    simulator.stop()
    broker.stop()
  }
  const sorted = [...latencies].sort((a, b) => a - b)
  writeSection(
    "freshness",
    [
      "### Freshness: provider publishes → readable read_committed, 1 s poll",
      "",
      `\`${command("freshness", optionsLine(options))}\``,
      "",
      ...header.map((line) => `- ${line}`),
      `- an Okta simulator in a child process publishing ${options.rate} events a second, evenly spaced, for ${options.seconds} s; the pipeline (poll interval 1 s, no jitter) and a kafkajs read_committed consumer in this process; latency: the time the consumer reads an activity less its \`created_at\``,
      "",
      markdownTable({
        head: ["published", "read", "p50 ms", "p90 ms", "p99 ms", "max ms", "target p99", "load"],
        rows: [
          [
            int(emitted),
            int(latencies.length),
            int(percentile(sorted, 50)),
            int(percentile(sorted, 90)),
            int(percentile(sorted, 99)),
            int(sorted.at(-1) ?? Number.NaN),
            `≤ 1,150 (${percentile(sorted, 99) <= 1150 ? "reached" : "not reached"})`,
            loads.join(", ") || load(),
          ],
        ],
      }),
      "",
      `Mean ${fixed(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length), 0)} ms.`,
    ].join("\n"),
  )
}

runBenchmark(main)
