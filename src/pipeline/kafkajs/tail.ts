import { Data, Effect } from "effect"
import { type IHeaders, Kafka, type KafkaConfig, type KafkaMessage, logLevel } from "kafkajs"
import { tailGroupId } from "../kafkaNames.ts"
import { stopKafkajsIdleLoop } from "./kafkajsIdleLoop.ts"

export interface TailOptions {
  readonly topic: string
  /** The cluster and how to reach it (TLS, SASL): the config's kafka section, or plain brokers. */
  readonly kafka: KafkaConfig
  /** The config's `kafka.group_id_prefix`: tail's group is named under it, so the same ACL covers it. */
  readonly groupIdPrefix: string
  /** Every record the topic holds, not only the last `lines` of each partition. */
  readonly fromBeginning: boolean
  /** Keeps printing new records until interrupted (Ctrl-C), instead of stopping at the topic's end. */
  readonly follow: boolean
  /** Only this account's records (the record key is the integrated account id). */
  readonly key: string | undefined
  readonly lines: number
}

export class TailFailed extends Data.TaggedError("TailFailed")<{ readonly message: string }> {}

/** What went wrong, with the brokers and the topic, in the reader's words. */
const tailProblem = (options: TailOptions, cause: unknown) => {
  const text = (cause as { message?: string })?.message ?? String(cause)
  const brokers = options.kafka.brokers
  const where = Array.isArray(brokers) ? brokers.join(",") : "the configured brokers"
  return /does not host this topic-partition|UNKNOWN_TOPIC/i.test(text)
    ? `topic ${options.topic} does not exist on ${where}`
    : `cannot read ${options.topic} from ${where}: ${text}`
}

/** JSON as JSON (what the connector publishes), anything else as the text it is. */
const decoded = (buffer: Buffer | null) => {
  if (buffer === null) return null
  const text = buffer.toString("utf8")
  try {
    return JSON.parse(text) as unknown
  } catch {
    return text
  }
}

const headersOf = (headers: IHeaders | undefined) =>
  Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [
      name,
      Array.isArray(value) ? value.map((v) => String(v)) : value === undefined ? null : String(value),
    ]),
  )

/** One JSON object per line, values and headers as objects, so `jq` reads it as it is. */
const line = (topic: string, partition: number, message: KafkaMessage) =>
  JSON.stringify({
    topic,
    partition,
    offset: message.offset,
    timestamp: new Date(Number(message.timestamp)).toISOString(),
    key: message.key?.toString("utf8") ?? null,
    headers: headersOf(message.headers),
    value: decoded(message.value),
  })

/**
 * How many offsets before a partition's end hold its last `lines` records. A transaction's commit marker takes
 * an offset of its own in every partition the transaction wrote to, after at least one record there, so on the
 * connector's topics (a transaction a page) `lines` records span up to twice as many offsets; the margin is for
 * transactions that aborted (a crash), whose records and marker take offsets that a read_committed reader
 * never sees. Reading back further until `lines` are found would take a new seek per round, for little.
 */
export const lastRecordsWindow = (lines: number) => lines * 2 + 64

/**
 * Prints a topic, read_committed, as JSON lines: the last `lines` records of each partition (or all with
 * `fromBeginning`), then stops at the end, or goes on with `follow`. kafkajs reads only through consumer
 * groups; a throw-away group is positioned by `seek` before its first fetch, so nothing waits for a commit.
 */
export const tail = (options: TailOptions) =>
  Effect.gen(function* () {
    stopKafkajsIdleLoop()
    const kafka = new Kafka({ ...options.kafka, logLevel: logLevel.NOTHING })
    const admin = kafka.admin()
    // Released before it is acquired, so that connecting (kafkajs retries a broker that is away) stays
    // interruptible: Ctrl-C ends it at once. Disconnecting is capped for the same reason; a release runs
    // uninterruptibly, so the cap needs the call itself to be interruptible.
    const disconnect = (client: { disconnect: () => Promise<void> }) =>
      Effect.addFinalizer(() =>
        Effect.promise(() => client.disconnect()).pipe(
          Effect.interruptible,
          Effect.timeout("2 seconds"),
          Effect.ignore,
        ),
      )
    yield* disconnect(admin)
    const offsets = yield* Effect.tryPromise({
      try: async () => {
        await admin.connect()
        return admin.fetchTopicOffsets(options.topic)
      },
      catch: (cause) => new TailFailed({ message: tailProblem(options, cause) }),
    })
    // `high` is the last stable offset for a read_committed reader: where "now" ends.
    const ends = new Map(offsets.map((o) => [o.partition, Number(o.high)]))
    const starts = new Map(
      offsets.map((o) => [
        o.partition,
        options.fromBeginning
          ? Number(o.low)
          : Math.max(Number(o.low), Number(o.high) - lastRecordsWindow(options.lines)),
      ]),
    )
    // The last `lines` records read of each partition before its end, printed when it gets there: the window
    // read is wider than `lines` (see lastRecordsWindow), so what comes first is not all to be printed.
    const held = new Map<number, Array<string>>(
      options.fromBeginning ? [] : offsets.map((o) => [o.partition, []]),
    )
    const pending = new Set(
      offsets.filter((o) => Number(o.high) > (starts.get(o.partition) ?? 0)).map((o) => o.partition),
    )
    if (!options.follow && pending.size === 0) return

    const consumer = kafka.consumer({ groupId: tailGroupId(options.groupIdPrefix), maxWaitTimeInMs: 500 })
    // Leaving the throw-away group is a courtesy, not worth waiting for.
    yield* disconnect(consumer)
    yield* Effect.tryPromise({
      try: () => consumer.connect(),
      catch: (cause) => new TailFailed({ message: tailProblem(options, cause) }),
    })
    yield* Effect.async<void, Error>((resume) => {
      // A reader that stops reading (`| head`) ends tail quietly, as it ends any Unix filter.
      let readerGone = false
      const onOutputError = (error: NodeJS.ErrnoException) => {
        if (error.code !== "EPIPE") return resume(Effect.fail(error))
        readerGone = true
        resume(Effect.void)
      }
      process.stdout.on("error", onOutputError)
      const write = (text: string) => process.stdout.write(`${text}\n`)
      // A partition at its end prints what it held back, and from then on prints as it reads.
      const release = (partition: number) => {
        const lines = held.get(partition)
        if (lines === undefined) return
        held.delete(partition)
        // The last `lines` taken once at the end, not one shifted off per record: a shift copies a large array.
        for (const text of lines.slice(Math.max(0, lines.length - options.lines)))
          if (!readerGone) write(text)
      }
      // Done with a partition at its end, whether the batch ended on a record or on a transaction marker.
      const reached = (partition: number, lastOffset: string) => {
        if (Number(lastOffset) + 1 >= (ends.get(partition) ?? 0)) {
          release(partition)
          pending.delete(partition)
        }
        if (!options.follow && pending.size === 0) resume(Effect.void)
      }
      consumer.on(consumer.events.END_BATCH_PROCESS, ({ payload }) =>
        reached(payload.partition, payload.lastOffset),
      )
      // Positioned once the group has its partitions (kafkajs refuses a seek before that); anything fetched
      // from the earliest offset meanwhile is skipped by offset.
      let positioned = false
      consumer.on(consumer.events.GROUP_JOIN, () => {
        // Only at the first join: a later rebalance resumes where the group got to.
        if (positioned) return
        positioned = true
        for (const [partition, offset] of starts)
          consumer.seek({ topic: options.topic, partition, offset: String(offset) })
      })
      consumer
        .subscribe({ topic: options.topic, fromBeginning: true })
        .then(() =>
          consumer.run({
            eachBatch: async ({ batch }) => {
              const from = starts.get(batch.partition) ?? 0
              const end = ends.get(batch.partition) ?? 0
              for (const message of batch.messages) {
                const offset = Number(message.offset)
                if (offset < from) continue
                if (offset >= end) release(batch.partition)
                if (options.key !== undefined && message.key?.toString("utf8") !== options.key) continue
                if (readerGone) return
                const text = line(batch.topic, batch.partition, message)
                const holding = held.get(batch.partition)
                if (holding === undefined) write(text)
                else holding.push(text)
              }
              reached(batch.partition, batch.lastOffset())
            },
          }),
        )
        .catch((error: Error) => resume(Effect.fail(error)))
    })
  }).pipe(Effect.scoped)
