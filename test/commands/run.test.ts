import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { Agent, get } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { simulatedAccount } from "../../src/dev/EmbeddedDefaults.ts"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { startSalesforceSimulator } from "../../src/simulators/salesforce/SalesforceSimulator.ts"
import { listeners, type RunningCommand, startCommand } from "../support/connectorCommand.ts"
import { linkRewritingProxy, linksThroughProxy } from "../support/linkRewritingProxy.ts"
import { listPage, testApiKey, writeConfig } from "../support/simulatedAccounts.ts"
import { readTopic, uniqueTopics } from "../support/topics.ts"

/**
 * `run --config` as users run it: the shipped command in its own process, publishing to the test broker from
 * three accounts (an Okta API token, a Salesforce OAuth grant, and an Okta account behind a slow gateway),
 * answering the endpoint and the management routes, and shutting down on SIGTERM.
 */
const brokers = inject("kafkaBrokers")
const dir = mkdtempSync(join(tmpdir(), "connector-run-test-"))
const scope = Effect.runSync(Scope.make())
const topics = uniqueTopics()
const ids = { okta: randomUUID(), salesforce: randomUUID(), slow: randomUUID() }
const slowMs = 1_500
let oktaEvents = 0
let config = ""
let run: RunningCommand
let urls = { api: "", management: "" }

/** GET over a given agent, with the response's headers: the connection it came on matters here. */
const request = (url: string, agent: Agent, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((ok, fail) => {
    get(url, { agent, headers }, (response) => {
      let body = ""
      response.setEncoding("utf8").on("data", (chunk: string) => {
        body += chunk
      })
      response.on("end", () => ok({ status: response.statusCode ?? 0, headers: response.headers, body }))
    }).on("error", fail)
  })

beforeAll(async () => {
  const { okta, salesforce, slowOrigin } = await Effect.runPromise(
    Scope.extend(
      Effect.gen(function* () {
        const okta = yield* startOktaSimulator({ seed: 23, historySize: 40, rateLimit: 100_000 })
        const salesforce = yield* startSalesforceSimulator({ seed: 23, historySize: 30 })
        const slow = yield* linkRewritingProxy(okta.baseUrl, linksThroughProxy(okta.baseUrl), {
          delayMs: slowMs,
        })
        return { okta, salesforce, slowOrigin: slow.origin }
      }),
      scope,
    ),
  )
  oktaEvents = okta.events().length
  config = writeConfig(
    dir,
    "run",
    [
      { ...simulatedAccount(okta, ids.okta), start_from: "earliest" },
      { ...simulatedAccount(salesforce, ids.salesforce), start_from: "earliest" },
      { ...simulatedAccount(okta, ids.slow), base_url: slowOrigin, start_from: "earliest" },
    ],
    {
      // Idle keep-alive connections would hold a plain `server.close` for a minute: the drain must not wait.
      server: { timeouts: { keep_alive: "60s", shutdown: "8s" } },
      kafka: { brokers: [brokers], topics, partitions: 1 },
      poll: { interval: "1s", page_size: 20 },
    },
  )
  run = startCommand(["run", "--config", config])
  urls = await listeners(run)
}, 120_000)

afterAll(async () => {
  run?.stop()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  rmSync(dir, { recursive: true, force: true })
})

describe("run --config, one process", () => {
  it("publishes every account's history to the activities topic, read_committed", async () => {
    const keyed = (messages: ReadonlyArray<{ key: string | undefined }>, key: string) =>
      messages.filter((m) => m.key === key).length
    const messages = await readTopic(
      brokers,
      topics.activities,
      (read) =>
        keyed(read, ids.okta) >= oktaEvents && keyed(read, ids.slow) >= 20 && keyed(read, ids.salesforce) > 0,
      90_000,
    )
    const oktaIds = messages
      .filter((m) => m.key === ids.okta)
      .map((m) => (JSON.parse(m.value ?? "{}") as { id: string }).id)
    expect(oktaIds.length).toBe(oktaEvents)
    expect(new Set(oktaIds).size).toBe(oktaEvents)
    expect(keyed(messages, ids.salesforce)).toBeGreaterThan(0)
  }, 120_000)

  it("answers the endpoint, /healthz, /readyz and /metrics from the same process", async () => {
    const page = await listPage(urls.api, { integrated_account_id: ids.salesforce, limit: "5" })
    expect(page.status, JSON.stringify(page.body)).toBe(200)
    expect(page.body.result?.length).toBeGreaterThan(0)
    const health = await fetch(`${urls.management}/healthz`)
    expect(health.status).toBe(200)
    const report = (await health.json()) as {
      status: string
      accounts: Array<{ integrated_account_id: string }>
    }
    expect(report.accounts.map((a) => a.integrated_account_id).sort()).toEqual(Object.values(ids).sort())
    const ready = await fetch(`${urls.management}/readyz`)
    expect(ready.status).toBe(200)
    expect(await ready.json()).toMatchObject({ ready: true, accounts_started: 3, accounts_enabled: 3 })
    const metrics = await (await fetch(`${urls.management}/metrics`)).text()
    expect(metrics).toMatch(new RegExp(`siem_connector_\\w+\\{[^}]*${ids.okta}`))
  })

  it("a second instance whose management port is taken exits 1 naming the port and the config key", async () => {
    const port = Number(new URL(urls.management).port)
    const clash = writeConfig(dir, "clash", [], {
      server: { management: { port } },
      kafka: { brokers: [brokers], topics, partitions: 1 },
    })
    const second = startCommand(["run", "--config", clash])
    const ended = await second.ended(30_000)
    expect(ended.code).toBe(1)
    expect(ended.stderr).toContain(`127.0.0.1:${port}`)
    expect(ended.stderr).toContain("server.management.port")
    expect(ended.stderr).toMatch(/already in use/)
  }, 40_000)

  it("SIGTERM: the request in flight is answered (Connection: close), idle keep-alive connections do not hold the exit, exit 0", async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 4 })
    const auth = { authorization: `Bearer ${testApiKey}` }
    // An idle kept-alive connection to each listener.
    expect((await request(`${urls.api}/openapi.json`, agent)).status).toBe(200)
    expect((await request(`${urls.management}/healthz`, agent)).status).toBe(200)
    // A request whose provider answers after `slowMs`: in flight when the signal comes.
    const inFlight = request(
      `${urls.api}/unified/user-directory/activities?integrated_account_id=${ids.slow}&limit=3`,
      agent,
      auth,
    )
    await new Promise((r) => setTimeout(r, 300))
    const signalledAt = performance.now()
    run.child.kill("SIGTERM")
    const answer = await inFlight
    expect(answer.status, answer.body).toBe(200)
    expect(answer.headers.connection).toBe("close")
    expect((JSON.parse(answer.body) as { result: unknown[] }).result).toHaveLength(3)
    const ended = await run.ended(30_000)
    const exitMs = performance.now() - signalledAt
    expect(ended.code, ended.stderr).toBe(0)
    // The drain's deadline (8 s) is not what ended it: nothing was left to wait for.
    expect(exitMs).toBeLessThan(8_000)
    // Nothing ran against a client that was already closed.
    expect(ended.stdout + ended.stderr).not.toMatch(/client is (closed|destroyed)/i)
    agent.destroy()
  }, 60_000)
})
