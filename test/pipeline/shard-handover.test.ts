import { Socket, connect as tcpConnect } from "node:net"
import { Context, Effect, Exit, Fiber, Scope } from "effect"
import { Kafka } from "kafkajs"
import { describe, expect, inject, it } from "vitest"
import type { IntegratedAccount } from "../../src/domain/IntegratedAccount.ts"
import { accountPublisher } from "../../src/pipeline/AccountPublisher.ts"
import { type AccountStreamSettings, runAccountStream } from "../../src/pipeline/AccountStream.ts"
import { CheckpointStore } from "../../src/pipeline/CheckpointStore.ts"
import { KafkaClient, kafkaJsConfig } from "../../src/pipeline/kafkajs/KafkaClient.ts"
import { untilWrittenTopicsStable } from "../../src/pipeline/kafkajs/stableEnd.ts"
import { ensureTopics } from "../../src/pipeline/kafkajs/Topics.ts"
import { makeTransactionalPublisher } from "../../src/pipeline/kafkajs/transactionalPublisher.ts"
import { shardTransactionalId } from "../../src/pipeline/kafkaNames.ts"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { connectorUnderTest } from "../support/connectorUnderTest.ts"
import { linkRewritingProxy, linksThroughProxy } from "../support/linkRewritingProxy.ts"
import { activityIds, readTopic } from "../support/topics.ts"

const brokers = inject("kafkaBrokers")
const uuidsOf = (events: ReadonlyArray<unknown>) => (events as Array<{ uuid: string }>).map((e) => e.uuid)

/** A network between one client and the broker that the test can cut (every connection reset) and mend. */
const cuttableNetwork = () => {
  let cut = false
  const open = new Set<Socket>()
  return {
    socketFactory: ({ host, port, onConnect }: { host: string; port: number; onConnect: () => void }) => {
      if (cut) {
        const refused = new Socket()
        setImmediate(() => refused.destroy(new Error(`connect ECONNREFUSED ${host}:${port} (network cut)`)))
        return refused
      }
      const socket = tcpConnect({ host, port }, onConnect)
      open.add(socket)
      socket.once("close", () => open.delete(socket))
      return socket
    },
    cut: () => {
      cut = true
      for (const socket of open) socket.destroy(new Error("connection reset (network cut)"))
    },
    mend: () => {
      cut = false
    },
  }
}

/**
 * A shard changes hands while its old holder is still running (it has not yet learnt of the rebalance):
 * instance Y initialises the shard's transactional id, fencing X, and publishes a page of account B. X then
 * loses its broker connections: account A's publish fails, not as fenced but as a network error, so X
 * replaces its producer, whose initialisation fences Y in turn. Account B on X had no failure of its own: its
 * checkpoint in memory predates Y's page. Exactly once holds only if B reads its checkpoint again after X's
 * new producer started, instead of publishing Y's page a second time.
 */
describe("a shard's producer replaced while another instance held the shard", () => {
  it("every account of the shard resumes from Kafka, not from memory: exactly once", async () => {
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const simA = yield* startOktaSimulator({ historySize: 30, seed: 71, rateLimit: 1_000_000 })
          const simB = yield* startOktaSimulator({ historySize: 30, seed: 72, rateLimit: 1_000_000 })
          // X reaches B's provider through a gate: while it is held, X's stream of B reads nothing new.
          let release: () => void = () => undefined
          let held: Promise<void> = Promise.resolve()
          const gate = yield* linkRewritingProxy(simB.baseUrl, linksThroughProxy(simB.baseUrl), {
            until: () => held,
          })
          const { topics, loaded, context, health } = yield* connectorUnderTest({
            simulators: [simA, simB],
            pollInterval: "100ms",
            pageSize: 10,
          })
          const kafkaSettings = loaded.config.kafka
          const [entryA, entryB] = loaded.accounts
          if (entryA === undefined || entryB === undefined) throw new Error("two accounts expected")
          yield* ensureTopics(kafkaSettings, []).pipe(Effect.provide(context))
          const store = Context.get(context, CheckpointStore)
          // One partition, one shard: both accounts are shard 0.
          const transactionalId = shardTransactionalId(kafkaSettings.transactional_id_prefix, 0)
          const settings = (instanceId: string): AccountStreamSettings => ({
            kafka: kafkaSettings,
            poll: loaded.config.poll,
            instanceId,
            minBackoff: "100 millis",
            maxBackoff: "500 millis",
          })
          const count = (n: number, graceMs = 0) =>
            Effect.promise(() => readTopic(brokers, topics.activities, (m) => m.length >= n, 60_000, graceMs))

          // Instance X holds the shard: its producer, the shard's checkpoints read after it, A and B streaming.
          const network = cuttableNetwork()
          const xClient = new Kafka({
            ...kafkaJsConfig(kafkaSettings, [brokers]),
            socketFactory: network.socketFactory,
          })
          const x = yield* makeTransactionalPublisher(
            transactionalId,
            kafkaSettings,
            untilWrittenTopicsStable(kafkaSettings),
            { settleFirst: true },
          ).pipe(Effect.provideService(KafkaClient, xClient))
          const atStart = yield* store.readShard(0)
          const accountBViaGate: IntegratedAccount = { ...entryB.account, baseUrl: new URL(gate.origin) }
          const streamOn = (
            account: IntegratedAccount,
            config: typeof entryA.config,
            checkpoint: Parameters<typeof runAccountStream>[2],
            publisher: Parameters<typeof accountPublisher>[0],
            instanceId: string,
          ) =>
            runAccountStream(
              account,
              config,
              checkpoint,
              accountPublisher(publisher, account),
              settings(instanceId),
            ).pipe(Effect.provide(context), Effect.forkScoped)
          yield* streamOn(entryA.account, entryA.config, atStart.latest.get(entryA.account.id), x, "x")
          yield* streamOn(accountBViaGate, entryB.config, atStart.latest.get(entryB.account.id), x, "x")
          yield* count(60)

          // Y takes the shard over (X has not learnt of it): its producer fences X's; it publishes B's next page.
          held = new Promise((resolve) => {
            release = resolve
          })
          const yScope = yield* Scope.make()
          const y = yield* makeTransactionalPublisher(
            transactionalId,
            kafkaSettings,
            untilWrittenTopicsStable(kafkaSettings),
            { settleFirst: true },
          ).pipe(Effect.provideService(KafkaClient, Context.get(context, KafkaClient)), Scope.extend(yScope))
          const takenOver = yield* store.readShard(0)
          const yStreamOfB = yield* streamOn(
            entryB.account,
            entryB.config,
            takenOver.latest.get(entryB.account.id),
            y,
            "y",
          )
          simB.emit(5)
          yield* count(65)
          yield* Fiber.interrupt(yStreamOfB)
          yield* Scope.close(yScope, Exit.void)

          // X loses the broker as A publishes: a network failure, not a fence. Its producer is replaced once the
          // network is back, and that initialisation fences Y.
          network.cut()
          simA.emit(1)
          for (;;) {
            const a = (yield* health.snapshot).find((s) => s.integrated_account_id === entryA.account.id)
            if (a?.state === "retrying") break
            yield* Effect.sleep("50 millis")
          }
          network.mend()
          yield* count(66)

          // B on X reads again: the page Y published is there for it too. Then one more of B's.
          release()
          simB.emit(1)
          const published = yield* count(67, 3_000)
          const ids = activityIds(published)
          expect(ids.length - new Set(ids).size).toBe(0)
          expect(new Set(ids)).toEqual(new Set([...uuidsOf(simA.events()), ...uuidsOf(simB.events())]))
          expect(activityIds(published.filter((m) => m.key === entryB.account.id))).toEqual(
            uuidsOf(simB.events()),
          )
        }),
      ),
    )
  }, 120_000)
})
