import { randomBytes, randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, describe, expect, inject, it } from "vitest"
import { simulatedAccount } from "../../src/dev/EmbeddedDefaults.ts"
import { shardOf } from "../../src/pipeline/Shard.ts"
import { type OktaSimulatorHandle, startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { listeners, startCommand } from "../support/connectorCommand.ts"
import { listPage, writeConfig } from "../support/simulatedAccounts.ts"
import { activityIds, readTopic, uniqueTopics } from "../support/topics.ts"

/**
 * `run --config FILE` follows its file: an account added starts within a poll interval, one removed stops being
 * polled and leaves /healthz (and the endpoint); a file that does not validate, or that changes a setting only
 * a restart applies, is refused with the reason logged while the running config keeps streaming; SIGHUP
 * reloads and does not end the process. Two shards, the two accounts one in each: adding the second gives a
 * shard its first account, removing the first leaves a shard with none.
 */
const brokers = inject("kafkaBrokers")
const dir = mkdtempSync(join(tmpdir(), "reload-test-"))
const scope = Effect.runSync(Scope.make())
const pollMs = 2_000

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  rmSync(dir, { recursive: true, force: true })
})

interface Health {
  readonly accounts: ReadonlyArray<{ integrated_account_id: string; state: string; published_total: number }>
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** An account id in the given shard of two. */
const idInShard = (shard: number) => {
  for (;;) {
    const id = randomUUID()
    if (shardOf(id, 2) === shard) return id
  }
}

describe("run --config follows its file", () => {
  it("adds and removes accounts within a poll interval, refuses a bad file, reloads on SIGHUP", async () => {
    const [first, second] = (await Effect.runPromise(
      Scope.extend(
        Effect.forEach([1, 2], (seed) => startOktaSimulator({ historySize: 30, seed, rateLimit: 1_000_000 })),
        scope,
      ),
    )) as [OktaSimulatorHandle, OktaSimulatorHandle]
    const a = { id: idInShard(0), simulator: first }
    const b = { id: idInShard(1), simulator: second }
    const topics = uniqueTopics()
    const suffix = randomUUID().slice(0, 8)
    const kafka = {
      brokers: [brokers],
      topics,
      partitions: 1,
      shards: 2,
      group_session_timeout: "6s",
      transactional_id_prefix: `reload-${suffix}`,
      group_id_prefix: `reload-${suffix}`,
    }
    const settings = {
      // The same secret every time the file is written: a changed one would be a restart-only change.
      server: { cursor_secret: randomBytes(32).toString("base64url") },
      kafka,
      poll: { interval: `${pollMs}ms`, page_size: 20, jitter: 0 },
      log_level: "info",
    }
    const entry = (account: typeof a) => ({
      ...simulatedAccount(account.simulator, account.id),
      start_from: "earliest",
    })
    const write = (accounts: ReadonlyArray<Record<string, unknown>>, extra: Record<string, unknown> = {}) =>
      writeConfig(dir, "reload", accounts, { ...settings, ...extra })
    const config = write([entry(a)])
    const command = startCommand(["run", "--config", config])
    try {
      const urls = await listeners(command, 60_000)
      const health = async () => (await (await fetch(`${urls.management}/healthz`)).json()) as Health
      const until = async <T>(what: string, check: () => Promise<T | undefined>, withinMs: number) => {
        const deadline = Date.now() + withinMs
        for (;;) {
          const found = await check().catch(() => undefined)
          if (found !== undefined) return found
          if (Date.now() > deadline)
            throw new Error(`${what}: not within ${withinMs} ms${command.output.stdout.slice(-5_000)}`)
          await sleep(50)
        }
      }
      const accountOf = async (id: string) =>
        (await health()).accounts.find((account) => account.integrated_account_id === id)
      await until(
        "first account caught up",
        async () => ((await accountOf(a.id))?.state === "caught_up" ? true : undefined),
        60_000,
      )

      // Added: its history is published within a poll interval (and a margin), and /healthz lists it.
      const addedAt = Date.now()
      write([entry(a), entry(b)])
      await until(
        "second account published",
        async () => (((await accountOf(b.id))?.published_total ?? 0) > 0 ? true : undefined),
        pollMs + 5_000,
      )
      const addedWithinMs = Date.now() - addedAt
      console.info(
        `reload: added account's first page published ${addedWithinMs} ms after the file was written (poll ${pollMs} ms)`,
      )
      expect(addedWithinMs).toBeLessThan(pollMs + 3_000)
      expect((await listPage(urls.api, { integrated_account_id: b.id, limit: "1" })).status).toBe(200)

      // Removed: no more requests for it, gone from /healthz, and the endpoint answers 404.
      write([entry(b)])
      await until(
        "first account gone from /healthz",
        async () => ((await accountOf(a.id)) === undefined ? true : undefined),
        pollMs + 5_000,
      )
      const requestsAfterRemoval = a.simulator.requests().length
      first.emit(3)
      await sleep(2 * pollMs + 500)
      expect(a.simulator.requests().length).toBe(requestsAfterRemoval)
      expect((await listPage(urls.api, { integrated_account_id: a.id, limit: "1" })).status).toBe(404)

      // A file that does not validate: refused with the key path; the running config keeps streaming.
      write([{ ...entry(b), credentials: {} }, entry(a)])
      const refused = await command.logLine((line) => String(line.msg).includes("does not validate"), 5_000)
      expect(JSON.stringify(refused.problems)).toContain("accounts[0].credentials")
      const before = (await accountOf(b.id))?.published_total ?? 0
      second.emit(4)
      await until(
        "second account still streaming",
        async () => (((await accountOf(b.id))?.published_total ?? 0) >= before + 4 ? true : undefined),
        pollMs + 5_000,
      )
      expect(await accountOf(a.id)).toBeUndefined()

      // A restart-only setting: refused naming the key, and nothing of the file applied (the account added).
      write([entry(b), entry(a)], { kafka: { ...kafka, shards: 3 } })
      const restartOnly = await command.logLine(
        (line) => String(line.msg).includes("take effect only at a restart"),
        5_000,
      )
      expect(restartOnly.restart_only).toEqual(["kafka.shards"])
      await sleep(pollMs)
      expect(await accountOf(a.id)).toBeUndefined()

      // SIGHUP reloads the file (valid again) and the process goes on.
      const reloads = () =>
        command.output.stdout.split("\n").filter((line) => line.includes('"msg":"config reloaded"')).length
      const reloaded = reloads()
      write([entry(b)])
      await until("reloaded", async () => (reloads() > reloaded ? true : undefined), 5_000)
      command.child.kill("SIGHUP")
      await command.logLine((line) => line.msg === "config reloaded" && line.trigger === "SIGHUP", 5_000)
      await sleep(500)
      expect(command.child.exitCode).toBeNull()
      expect(command.child.signalCode).toBeNull()
      expect((await accountOf(b.id))?.state).toMatch(/streaming|caught_up/)

      // Exactly once: every event of both accounts, each once (the first's last three never: it was removed).
      const expectedB = second.events().map((e) => (e as { uuid: string }).uuid)
      const published = await readTopic(
        brokers,
        topics.activities,
        (m) => m.filter((x) => x.key === b.id).length >= expectedB.length,
        30_000,
        1_000,
      )
      expect(activityIds(published.filter((m) => m.key === b.id))).toEqual(expectedB)
      const ofA = activityIds(published.filter((m) => m.key === a.id))
      expect(new Set(ofA).size).toBe(ofA.length)
      expect(ofA).toEqual(
        first
          .events()
          .slice(0, 30)
          .map((e) => (e as { uuid: string }).uuid),
      )
    } finally {
      command.stop()
    }
  }, 120_000)
})
