import { randomBytes, randomUUID } from "node:crypto"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, describe, expect, inject, it } from "vitest"
import { simulatedAccount } from "../../src/dev/EmbeddedDefaults.ts"
import { orgRecords } from "../../src/simulators/salesforce/orgRecords.ts"
import {
  type SalesforceSimulatorHandle,
  startSalesforceSimulator,
} from "../../src/simulators/salesforce/SalesforceSimulator.ts"
import { type RunningCommand, startCommand } from "../support/connectorCommand.ts"
import { writeConfig } from "../support/simulatedAccounts.ts"
import { readTopic, uniqueTopics } from "../support/topics.ts"

/**
 * Issue 21: a Salesforce app with Refresh Token Rotation, streamed by the shipped `run` command, stopped and
 * started again. With `credentials_store` the second start sends the token the first one was rotated to (read
 * back from the credentials topic) and streams on; without it, it sends the configured token, which the org
 * has invalidated, and is refused `invalid_grant`.
 */
const brokers = inject("kafkaBrokers")
const dir = mkdtempSync(join(tmpdir(), "connector-rotation-test-"))
const scope = Effect.runSync(Scope.make())
const running: RunningCommand[] = []

afterAll(async () => {
  for (const command of running) command.stop()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  rmSync(dir, { recursive: true, force: true })
})

const rotatingOrg = () =>
  Effect.runPromise(
    Scope.extend(startSalesforceSimulator({ seed: 21, historySize: 12, refreshTokenRotation: true }), scope),
  )

const start = (config: string) => {
  const command = startCommand(["run", "--config", config])
  running.push(command)
  return command
}

const stop = async (command: RunningCommand) => {
  command.child.kill("SIGTERM")
  expect((await command.ended(30_000)).code).toBe(0)
}

const keyedCount = (messages: ReadonlyArray<{ key: string | undefined }>, key: string) =>
  messages.filter((m) => m.key === key).length

const refusals = (sim: SalesforceSimulatorHandle) =>
  sim.tokenRequests().filter((request) => request.error !== undefined)

/** A rotating org and a config for one account on it, with or without the credentials store. */
const rotatingAccount = async (name: string, withStore: boolean) => {
  const sim = await rotatingOrg()
  const id = randomUUID()
  const topics = uniqueTopics()
  const credentialsTopic = `${topics.activities}.credentials`
  const keyFile = join(dir, `${name}.key`)
  writeFileSync(keyFile, `${randomBytes(32).toString("base64")}\n`)
  const entry = simulatedAccount(sim, id)
  const config = writeConfig(
    dir,
    name,
    [
      {
        ...entry,
        start_from: "earliest",
        // Declared only with the store: the config refuses a rotating account without one.
        settings: { ...sim.settings, ...(withStore ? { refresh_token_rotation: "true" } : {}) },
      },
    ],
    {
      kafka: { brokers: [brokers], topics, partitions: 1 },
      poll: { interval: "1s", page_size: 50 },
      ...(withStore ? { credentials_store: { key: `\${file:${keyFile}}`, topic: credentialsTopic } } : {}),
    },
  )
  return { sim, id, topics, credentialsTopic, config }
}

/** `run` once until it publishes, stopped, and activity for a second run left behind. */
const firstRun = async (name: string, withStore: boolean) => {
  const { sim, id, topics, credentialsTopic, config } = await rotatingAccount(name, withStore)
  const run = start(config)
  await readTopic(brokers, topics.activities, (read) => keyedCount(read, id) > 0, 60_000, 0)
  await stop(run)

  const published = keyedCount(
    await readTopic(brokers, topics.activities, (read) => keyedCount(read, id) > 0, 10_000, 1_000),
    id,
  )
  // The org rotated the configured token away at the first refresh.
  expect(sim.currentRefreshToken()).not.toBe(sim.credentials.refresh_token)
  expect(refusals(sim)).toEqual([])
  // Activity after the stop, for the second run to publish. Salesforce rows are read once 30 s old (the
  // stream's settle window), so it is dated 28 s back: past what the first run read (at most its stop less
  // 30 s), and readable within seconds.
  for (const late of orgRecords(7, new URL(sim.baseUrl).host).burst(3, Date.now() - 28_000)) {
    sim.inject(late.object, late.row, late.at)
  }
  return { sim, id, topics, credentialsTopic, config, published }
}

describe("a refresh token the provider rotates, across a restart of `run`", () => {
  it("with credentials_store: the second run sends the rotated token and streams on; the topic holds ciphertext only", async () => {
    const first = await firstRun("with-store", true)
    const second = start(first.config)
    const after = await readTopic(
      brokers,
      first.topics.activities,
      (read) => keyedCount(read, first.id) > first.published,
      60_000,
      0,
    )
    expect(keyedCount(after, first.id)).toBeGreaterThan(first.published)
    expect(refusals(first.sim)).toEqual([])
    // Two refreshes, one per run, each answered with a new refresh token.
    expect(first.sim.tokenRequests().map((r) => [r.grantType, r.status])).toEqual([
      ["refresh_token", 200],
      ["refresh_token", 200],
    ])
    await stop(second)

    const stored = await readTopic(brokers, first.credentialsTopic, (read) => read.length >= 2, 10_000, 0)
    expect(stored.map((m) => m.key)).toEqual([first.id, first.id])
    const current = first.sim.currentRefreshToken() ?? "(revoked)"
    for (const record of stored) {
      expect(record.value).not.toContain(current)
      expect(record.value).not.toContain(first.sim.credentials.refresh_token)
      expect(record.value).not.toContain(first.sim.credentials.client_secret)
    }
    expect(second.output.stdout).not.toContain(current)
    expect(second.output.stdout).not.toContain(first.sim.credentials.refresh_token)
  }, 150_000)

  it("without it: the second run sends the configured token, which the org refuses (invalid_grant)", async () => {
    const first = await firstRun("without-store", false)
    const second = start(first.config)
    const refused = await second.logLine(
      (line) =>
        line.msg === "account stream failed; retrying from the last checkpoint" &&
        /expired access\/refresh token/.test(String(line.error)),
      60_000,
    )
    expect(refused.integrated_account_id).toBe(first.id)
    expect(refusals(first.sim).map((r) => r.error)).toContain("invalid_grant")
    await stop(second)
  }, 150_000)

  it("check-config keeps the token it rotated in the store too: the run after it is not refused", async () => {
    const { sim, id, config } = await rotatingAccount("check-then-run", true)
    const check = startCommand(["check-config", "--config", config])
    running.push(check)
    const checked = await check.ended(60_000)
    expect(checked.code, checked.stderr).toBe(0)
    expect(checked.stdout).toContain(`ok    ${id}`)
    expect(sim.currentRefreshToken()).not.toBe(sim.credentials.refresh_token)
    const run = start(config)
    await run.logLine((line) => line.msg === "stored a rotated refresh token" && line.account === id, 60_000)
    expect(sim.tokenRequests().map((r) => [r.grantType, r.status])).toEqual([
      ["refresh_token", 200],
      ["refresh_token", 200],
    ])
    await stop(run)
  }, 150_000)
})
