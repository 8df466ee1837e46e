import { randomUUID } from "node:crypto"
import { Cause, Effect, ExecutionStrategy, Exit, Schedule, Scope } from "effect"
import { Config } from "../config/Config.ts"
import { type AccountStreamSettings, runAccountStream } from "./AccountStream.ts"
import { ActivitySink } from "./ActivitySink.ts"
import { CheckpointStore } from "./CheckpointStore.ts"
import { checkKafkaAcls, isKafkaFailure } from "./requiredAcls.ts"
import { publishStart } from "./retentionProblems.ts"
import { initialHealth, StreamHealth } from "./StreamHealth.ts"
import { CheckpointUnreadable } from "./StreamStopped.ts"
import { untilWrittenTopicsStable } from "./stableEnd.ts"
import { ensureTopics } from "./Topics.ts"

/** Until the cluster answers at start: retried, growing to 30 s between attempts. */
const startupRetry = Schedule.exponential("500 millis", 2).pipe(
  Schedule.union(Schedule.spaced("30 seconds")),
  Schedule.tapInput((error: { message: string }) =>
    Effect.logWarning("Kafka not ready at start; retrying").pipe(
      Effect.annotateLogs({ error: error.message }),
    ),
  ),
)

/**
 * The connector's main job. Topics are created when missing; each account gets its transactional producer
 * (fencing any predecessor and aborting what it left open); then the checkpoints are read to their end and
 * every enabled account is tailed by its own fiber, resuming from its own checkpoint. Accounts are
 * independent: one failing retries on its own and never stops or slows the others.
 */
export const runPipeline = (overrides: Partial<AccountStreamSettings> = {}) =>
  Effect.gen(function* () {
    const { config, accounts } = yield* Config
    const enabled = accounts.filter((a) => a.config.enabled)
    const settings: AccountStreamSettings = {
      kafka: config.kafka,
      poll: config.poll,
      // Unique per process start, so a checkpoint tells which run of which instance wrote it.
      instanceId: randomUUID(),
      ...overrides,
    }

    // Every enabled account, checkpointed or not: a checkpoint can vanish (deleted, or unreadable after an
    // upgrade) and the account then starts from start_from again. Refusing on a config that is only unsafe
    // in that case is the cheaper mistake.
    const starts = enabled.map(({ account, config: accountConfig }) =>
      publishStart(account, accountConfig.start_from, `start_from: ${accountConfig.start_from}`),
    )
    // Only an unreachable cluster is waited for: unsafe topic settings need an operator.
    yield* checkKafkaAcls(config.kafka, config.credentials_store).pipe(
      Effect.retry({ schedule: startupRetry, while: isKafkaFailure }),
    )
    yield* ensureTopics(config.kafka, starts).pipe(
      Effect.retry({ schedule: startupRetry, while: (error) => error._tag === "KafkaFailure" }),
    )
    // Each start-up attempt builds its producers in a scope of its own, closed when the attempt fails, so a
    // retried start-up leaves no producer of an earlier attempt connected.
    const sink = yield* ActivitySink
    const store = yield* CheckpointStore
    const parent = yield* Effect.scope
    const startPublishers = Effect.gen(function* () {
      const attempt = yield* Scope.fork(parent, ExecutionStrategy.sequential)
      return yield* Effect.forEach(enabled, ({ account }) => sink.publisherFor(account), {
        concurrency: 8,
      }).pipe(
        Scope.extend(attempt),
        Effect.onError((cause) => Scope.close(attempt, Exit.failCause(cause))),
      )
    })
    const publishers = yield* startPublishers.pipe(Effect.retry(startupRetry))
    // As after a failed publish (see AccountPublisher), and once for all accounts: nothing is published
    // while a transaction opened before these producers started is still open on the topics they write to.
    yield* untilWrittenTopicsStable(config.kafka).pipe(Effect.retry(startupRetry))
    const checkpoints = yield* store.readAll.pipe(Effect.retry(startupRetry))
    yield* Effect.logInfo("pipeline started").pipe(
      Effect.annotateLogs({ accounts: enabled.length, checkpoints: checkpoints.latest.size }),
    )

    yield* Effect.forEach(
      enabled,
      ({ account, config: accountConfig }, index) => {
        const publisher = publishers[index]
        if (!publisher) return Effect.die(new Error("publisher missing"))
        const unreadable = checkpoints.unreadable.get(account.id)
        const stream =
          unreadable === undefined
            ? runAccountStream(
                account,
                accountConfig,
                checkpoints.latest.get(account.id),
                publisher,
                settings,
              )
            : Effect.fail(
                new CheckpointUnreadable({
                  message: `the newest checkpoint of account ${account.id} in ${config.kafka.topics.checkpoints} does not decode (${unreadable}); not resuming from an older one`,
                }),
              )
        return stream.pipe(
          // Only a final failure ends a stream (another instance owns the account, its checkpoint is
          // unreadable, no provider client yet, or a provider continuation that will not be followed).
          Effect.catchAllCause((cause) =>
            Effect.gen(function* () {
              const health = yield* StreamHealth
              yield* health.update(account.id, (current) => ({
                ...(current ?? initialHealth(account)),
                state: "stopped",
                last_error: Cause.pretty(cause).split("\n")[0] ?? "stopped",
              }))
              yield* Effect.logError("account stream stopped", cause).pipe(
                Effect.annotateLogs({ integrated_account_id: account.id }),
              )
            }),
          ),
          Effect.forkScoped,
        )
      },
      { discard: true },
    )
    return yield* Effect.never
  })
