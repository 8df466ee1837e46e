import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { simulatedAccount } from "../../src/dev/EmbeddedDefaults.ts"
import { type OktaSimulatorHandle, startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { listeners, startCommand } from "../support/connectorCommand.ts"
import { listPage, writeConfig } from "../support/simulatedAccounts.ts"
import { activityIds, readTopic, uniqueTopics } from "../support/topics.ts"

/**
 * `backfill` as users run it: a spawned process that republishes one account's history into the test
 * broker, from an instant or from a next_cursor that a running `serve` of the same config handed out.
 */
const brokers = inject("kafkaBrokers")
const dir = mkdtempSync(join(tmpdir(), "connector-backfill-test-"))
const scope = Effect.runSync(Scope.make())
let okta: OktaSimulatorHandle

beforeAll(async () => {
  okta = await Effect.runPromise(
    Scope.extend(startOktaSimulator({ seed: 31, historySize: 30, rateLimit: 100_000 }), scope),
  )
})
afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  rmSync(dir, { recursive: true, force: true })
})

const oktaUuids = () => (okta.events() as Array<{ uuid: string; published: string }>).map((e) => e.uuid)

/** A config of one Okta account publishing to topics of its own. */
const configFor = (name: string) => {
  const account = randomUUID()
  const topics = uniqueTopics()
  const file = writeConfig(dir, name, [simulatedAccount(okta, account)], {
    kafka: { brokers: [brokers], topics, partitions: 1 },
    poll: { page_size: 10 },
  })
  return { account, topics, file }
}

describe("backfill", () => {
  it("--since: every activity created at or after the instant, then exit 0", async () => {
    const { account, topics, file } = configFor("since")
    const since = (okta.events() as Array<{ published: string }>)
      .map((e) => e.published)
      .sort()
      .at(0)
    const run = startCommand(["backfill", "--config", file, "--account", account, "--since", since ?? ""])
    const ended = await run.ended(60_000)
    expect(ended.code, ended.stderr).toBe(0)
    const published = await readTopic(brokers, topics.activities, (read) => read.length >= oktaUuids().length)
    expect(published.every((m) => m.key === account)).toBe(true)
    expect(activityIds(published).sort()).toEqual(oktaUuids().sort())
  }, 90_000)

  it("--cursor: from the next_cursor the endpoint handed out, the rest of the history and nothing before it", async () => {
    const { account, topics, file } = configFor("cursor")
    const serve = startCommand(["serve", "--config", file])
    try {
      const { api } = await listeners(serve)
      const first = await listPage(api, { integrated_account_id: account, limit: "10" })
      expect(first.status).toBe(200)
      const cursor = first.body.next_cursor
      expect(typeof cursor).toBe("string")
      const run = startCommand(["backfill", "--config", file, "--account", account, "--cursor", cursor ?? ""])
      const ended = await run.ended(60_000)
      expect(ended.code, ended.stderr).toBe(0)
      const firstIds = new Set((first.body.result ?? []).map((a) => a.id))
      const rest = oktaUuids().filter((id) => !firstIds.has(id))
      const published = await readTopic(brokers, topics.activities, (read) => read.length >= rest.length)
      expect(activityIds(published).sort()).toEqual(rest.sort())
    } finally {
      serve.stop()
    }
  }, 90_000)

  it("with neither --cursor nor --since: exit 2 and the usage", async () => {
    const { account, file } = configFor("usage")
    const ended = await startCommand(["backfill", "--config", file, "--account", account]).ended(20_000)
    expect(ended.code).toBe(2)
    expect(ended.stderr).toContain("one of --cursor or --since")
    expect(ended.stderr).toContain("usage:")
  })
})
