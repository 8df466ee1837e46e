import { execFileSync } from "node:child_process"
import { randomUUID } from "node:crypto"
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs"
import { homedir, tmpdir } from "node:os"
import { join, resolve } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, describe, expect, inject, it } from "vitest"
import { simulatedAccount } from "../../src/dev/EmbeddedDefaults.ts"
import { type OktaSimulatorHandle, startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { listeners, type RunningCommand, startCommand } from "../support/connectorCommand.ts"
import { writeConfig } from "../support/simulatedAccounts.ts"
import { activityIds, type ReadMessage, readTopic, uniqueTopics } from "../support/topics.ts"

/**
 * Scale-out as operators run it: three `run --config` processes with one config (15 Okta accounts, 6 shards)
 * form one shard group; every account is streamed by exactly one of them; one is killed with SIGKILL mid-stream
 * and its accounts resume on the other two within the group's session timeout (10 s here) and a little more;
 * the activities topic holds every simulated activity exactly once, in each account's order. Then three with
 * 6 accounts: a fourth joins and takes a share of the shards, and all four are restarted one by one (SIGTERM,
 * start again, wait until every account streams), exactly once throughout.
 */
const brokers = inject("kafkaBrokers")
const brokerHome = inject("kafkaLocalEnv").KAFKA_LOCAL_HOME
const dir = mkdtempSync(join(tmpdir(), "scaleout-test-"))
const scope = Effect.runSync(Scope.make())
const sessionTimeoutMs = 10_000
const pollMs = 200

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  rmSync(dir, { recursive: true, force: true })
})

interface Health {
  readonly group: string
  readonly shards: ReadonlyArray<number>
  readonly accounts: ReadonlyArray<{ integrated_account_id: string; state: string }>
}

const healthOf = async (management: string): Promise<Health | undefined> => {
  try {
    const response = await fetch(`${management}/healthz`)
    return (await response.json()) as Health
  } catch {
    return undefined
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * Until the instances at `managements` are all members, hold `shards` between them once each, and stream every
 * one of `ids` on exactly one of them.
 */
const settledOn = async (
  managements: ReadonlyArray<string>,
  ids: ReadonlyArray<string>,
  shards: number,
  withinMs: number,
) => {
  const deadline = Date.now() + withinMs
  for (;;) {
    const healths = await Promise.all(managements.map(healthOf))
    const held = healths.flatMap((h) => h?.accounts.map((a) => a.integrated_account_id) ?? [])
    const streaming = healths.flatMap(
      (h) => h?.accounts.filter((a) => a.state === "streaming" || a.state === "caught_up") ?? [],
    )
    const heldShards = healths.flatMap((h) => h?.shards ?? [])
    if (
      healths.every((h) => h?.group === "member") &&
      heldShards.length === shards &&
      new Set(heldShards).size === shards &&
      held.length === ids.length &&
      new Set(held).size === ids.length &&
      streaming.length === ids.length
    )
      return healths as Health[]
    if (Date.now() > deadline)
      throw new Error(`not settled within ${withinMs} ms: ${JSON.stringify(healths, null, 1).slice(0, 3000)}`)
    await sleep(100)
  }
}

/**
 * A duplicate seen once in CI is worth every clue: both copies (partition, offset, headers), every instance's
 * log, and the broker's own view of the partitions (producer id, epoch, transaction markers, from Kafka's
 * DumpLogSegments), kept under test-artifacts/ for whoever looks next.
 */
const keepDuplicateEvidence = (
  published: ReadonlyArray<ReadMessage>,
  topics: ReturnType<typeof uniqueTopics>,
  instances: ReadonlyArray<RunningCommand>,
) => {
  const seen = new Map<string, ReadMessage[]>()
  for (const m of published) {
    const id = (JSON.parse(m.value ?? "{}") as { id: string }).id
    seen.set(id, [...(seen.get(id) ?? []), m])
  }
  const twice = [...seen.values()].filter((copies) => copies.length > 1)
  // SCALEOUT_KEEP_LOGS=1 keeps the logs of a clean run too, to compare with one that duplicated.
  if (twice.length === 0 && process.env.SCALEOUT_KEEP_LOGS === undefined) return
  const out = resolve(
    import.meta.dirname,
    "../../test-artifacts",
    `scaleout-${twice.length === 0 ? "clean" : "duplicate"}-${Date.now()}`,
  )
  mkdirSync(out, { recursive: true })
  writeFileSync(join(out, "duplicates.json"), JSON.stringify(twice, null, 1))
  instances.forEach((instance, i) => {
    writeFileSync(join(out, `instance-${i}.stdout.log`), instance.output.stdout)
    writeFileSync(join(out, `instance-${i}.stderr.log`), instance.output.stderr)
  })
  if (twice.length === 0) return
  const libs = join(homedir(), ".cache/siem-connector/kafka-jars/4.4.0/libs")
  if (brokerHome !== undefined && existsSync(libs)) {
    const data = join(brokerHome, "data")
    for (const partition of readdirSync(data).filter(
      (name) => name.startsWith(`${topics.activities}-`) || name.startsWith(`${topics.checkpoints}-`),
    )) {
      const segments = readdirSync(join(data, partition))
        .filter((f) => f.endsWith(".log"))
        .map((f) => join(data, partition, f))
      try {
        const dump = execFileSync(
          "java",
          [
            "-cp",
            `${libs}/*`,
            "kafka.tools.DumpLogSegments",
            "--print-data-log",
            "--files",
            segments.join(","),
          ],
          { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 },
        )
        writeFileSync(join(out, `${partition}.dump.txt`), dump)
      } catch (error) {
        writeFileSync(join(out, `${partition}.dump-failed.txt`), String(error))
      }
    }
  }
  console.error(`scale-out: ${twice.length} activities published twice; evidence in ${out}`)
}

/** Every simulated activity of every account on the activities topic exactly once, in each account's order. */
const expectExactlyOnce = async (
  topics: ReturnType<typeof uniqueTopics>,
  accounts: ReadonlyArray<{ readonly simulator: OktaSimulatorHandle; readonly id: string }>,
  instances: ReadonlyArray<RunningCommand>,
) => {
  const topic = topics.activities
  const expected = accounts.flatMap(({ simulator }) =>
    (simulator.events() as Array<{ uuid: string }>).map((e) => e.uuid),
  )
  const published = await readTopic(brokers, topic, (m) => m.length >= expected.length, 90_000, 3_000)
  keepDuplicateEvidence(published, topics, instances)
  const all = activityIds(published)
  expect(new Set(all).size).toBe(all.length)
  expect(all.length).toBe(expected.length)
  for (const { simulator, id } of accounts) {
    const own = activityIds(published.filter((m) => m.key === id))
    expect(own).toEqual((simulator.events() as Array<{ uuid: string }>).map((e) => e.uuid))
  }
}

/**
 * A deployment of `count` Okta accounts, each on its own simulator with `historySize` events, read from their
 * earliest and polled every `pollMs`, written as one config the instances share (the shard group, the topics and
 * the prefixes its own).
 */
const deployment = async (options: {
  readonly name: string
  readonly count: number
  readonly historySize: number
  readonly seed: number
  readonly shards: number
  readonly sessionMs: number
}) => {
  const simulators: OktaSimulatorHandle[] = await Effect.runPromise(
    Scope.extend(
      Effect.forEach(Array.from({ length: options.count }), (_, i) =>
        startOktaSimulator({
          historySize: options.historySize,
          seed: options.seed + i,
          rateLimit: 1_000_000,
        }),
      ),
      scope,
    ),
  )
  const accounts = simulators.map((simulator) => ({ simulator, id: randomUUID() }))
  const topics = uniqueTopics()
  const suffix = randomUUID().slice(0, 8)
  const config = writeConfig(
    dir,
    options.name,
    accounts.map(({ simulator, id }) => ({ ...simulatedAccount(simulator, id), start_from: "earliest" })),
    {
      kafka: {
        brokers: [brokers],
        topics,
        partitions: 1,
        shards: options.shards,
        group_session_timeout: `${options.sessionMs / 1000}s`,
        transactional_id_prefix: `${options.name}-${suffix}`,
        group_id_prefix: `${options.name}-${suffix}`,
      },
      poll: { interval: `${pollMs}ms`, page_size: 20, jitter: 0 },
      log_level: "info",
    },
  )
  return { accounts, ids: accounts.map((a) => a.id), topics, config }
}

describe("scale-out: instances in one shard group", () => {
  it("every account on exactly one instance; one SIGKILLed mid-stream, its accounts resume on the others; exactly once", async () => {
    const { accounts, ids, topics, config } = await deployment({
      name: "scaleout",
      count: 15,
      historySize: 40,
      seed: 100,
      shards: 6,
      sessionMs: sessionTimeoutMs,
    })
    const instances: RunningCommand[] = [0, 1, 2].map(() => startCommand(["run", "--config", config]))
    const emitter = setInterval(() => {
      for (const { simulator } of accounts) simulator.emit(1)
    }, 300)
    try {
      const urls = await Promise.all(instances.map((instance) => listeners(instance, 120_000)))
      const snapshot = () => Promise.all(urls.map((u) => healthOf(u.management)))

      // Settled: all three members, every shard held once, every account on exactly one instance.
      const settled = async (alive: ReadonlyArray<number>, withinMs: number) => {
        const deadline = Date.now() + withinMs
        for (;;) {
          const all = await snapshot()
          const healths = alive.map((i) => all[i])
          const held = healths.flatMap((h) => h?.accounts.map((a) => a.integrated_account_id) ?? [])
          const streaming = healths.flatMap(
            (h) => h?.accounts.filter((a) => a.state === "streaming" || a.state === "caught_up") ?? [],
          )
          if (
            healths.every((h) => h?.group === "member") &&
            healths.flatMap((h) => h?.shards ?? []).length === 6 &&
            held.length === ids.length &&
            new Set(held).size === ids.length &&
            streaming.length === ids.length
          )
            return healths as Health[]
          if (Date.now() > deadline)
            throw new Error(
              `not settled within ${withinMs} ms: ${JSON.stringify(healths, null, 1).slice(0, 3000)}`,
            )
          await sleep(100)
        }
      }
      const before = await settled([0, 1, 2], 90_000)
      // Each instance holds some shards (round robin over 6 partitions: two each).
      for (const h of before) expect(h.shards.length).toBe(2)
      const shardsOf = before.map((h) => [...h.shards].sort())
      expect(new Set(shardsOf.flat()).size).toBe(6)

      // Mid-stream: the first instance is killed.
      await sleep(2_000)
      const killedAccounts = before[0]?.accounts.map((a) => a.integrated_account_id) ?? []
      instances[0]?.child.kill("SIGKILL")
      const killedAt = Date.now()
      const after = await settled([1, 2], sessionTimeoutMs + 50_000)
      const movedWithinMs = Date.now() - killedAt
      console.info(
        `scale-out: ${killedAccounts.length} accounts of the killed instance streaming on the others ${movedWithinMs} ms after SIGKILL (session timeout ${sessionTimeoutMs} ms, poll ${pollMs} ms)`,
      )
      // How soon is printed, not asserted: under CI load it is the machine's pace, not the connector's (a
      // benchmark's figure). That they moved at all, within the wait above, is asserted.
      for (const h of after) expect(h.shards.length).toBe(3)

      await sleep(2_000)
      clearInterval(emitter)
      const expected = accounts.flatMap(({ simulator }) =>
        (simulator.events() as Array<{ uuid: string }>).map((e) => e.uuid),
      )
      const published = await readTopic(
        brokers,
        topics.activities,
        (m) => m.length >= expected.length,
        90_000,
        3_000,
      )
      keepDuplicateEvidence(published, topics, instances)
      const all = activityIds(published)
      expect(new Set(all).size).toBe(all.length)
      expect(all.length).toBe(expected.length)
      for (const { simulator, id } of accounts) {
        const own = activityIds(published.filter((m) => m.key === id))
        expect(own).toEqual((simulator.events() as Array<{ uuid: string }>).map((e) => e.uuid))
      }
      // Checkpoints went to each account's shard partition only.
      const checkpoints = await readTopic(brokers, topics.checkpoints, (m) => m.length > 0, 10_000, 500)
      const partitionsOf = new Map<string, Set<number>>()
      for (const m of checkpoints)
        partitionsOf.set(m.key ?? "", (partitionsOf.get(m.key ?? "") ?? new Set()).add(m.partition))
      for (const partitions of partitionsOf.values()) expect(partitions.size).toBe(1)
    } finally {
      clearInterval(emitter)
      for (const instance of instances) instance.stop()
    }
  }, 300_000)

  it("a fourth instance joining takes a share of the shards; a rolling restart of all four leaves every account streaming; exactly once", async () => {
    const sessionMs = 6_000
    const shards = 6
    const { accounts, ids, topics, config } = await deployment({
      name: "rolling",
      count: 6,
      historySize: 20,
      seed: 200,
      shards,
      sessionMs,
    })
    const start = () => startCommand(["run", "--config", config])
    const instances: RunningCommand[] = [start(), start(), start()]
    const emitter = setInterval(() => {
      for (const { simulator } of accounts) simulator.emit(1)
    }, 300)
    try {
      const managements = await Promise.all(
        instances.map(async (instance) => (await listeners(instance, 60_000)).management),
      )
      await settledOn(managements, ids, shards, 60_000)

      // A fourth joins: the group rebalances, and it holds a share (6 shards over 4 members: 1 or 2).
      const joinAt = Date.now()
      instances.push(start())
      managements.push((await listeners(instances[3] as RunningCommand, 60_000)).management)
      const listeningMs = Date.now() - joinAt
      const joined = await settledOn(managements, ids, shards, 60_000)
      const joinedMs = Date.now() - joinAt
      console.info(
        `scale-out: a fourth instance holds ${joined[3]?.shards.length} shards ${joinedMs} ms after it was spawned (${listeningMs} ms of which to listen), every account streaming`,
      )
      for (const h of joined) expect(h.shards.length).toBeGreaterThanOrEqual(1)

      // A rolling restart: each instance in turn stopped (SIGTERM: it leaves the group) and started again.
      const rollingAt = Date.now()
      for (let i = 0; i < instances.length; i++) {
        const old = instances[i] as RunningCommand
        old.child.kill("SIGTERM")
        expect((await old.ended(30_000)).code).toBe(0)
        const fresh = start()
        instances[i] = fresh
        managements[i] = (await listeners(fresh, 60_000)).management
        await settledOn(managements, ids, shards, 60_000)
      }
      console.info(
        `scale-out: rolling restart of 4 instances, each stopped, started and settled in turn, in ${Date.now() - rollingAt} ms`,
      )
      await sleep(1_000)
      clearInterval(emitter)
      await expectExactlyOnce(topics, accounts, instances)
    } finally {
      clearInterval(emitter)
      for (const instance of instances) instance.stop()
    }
  }, 420_000)
})
