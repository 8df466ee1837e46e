import { randomUUID } from "node:crypto"
import { mkdtempSync, rmSync } from "node:fs"
import { type IncomingMessage, request, type ServerResponse } from "node:http"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { simulatedAccount } from "../../src/dev/EmbeddedDefaults.ts"
import { serveOnLoopback } from "../../src/simulators/kit/serveOnLoopback.ts"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { listeners, type RunningCommand, startCommand } from "../support/connectorCommand.ts"
import { writeConfig } from "../support/simulatedAccounts.ts"
import { uniqueTopics } from "../support/topics.ts"

/**
 * `run --config` with six Okta accounts and `poll.concurrent_reads: 2`, every account behind one gateway that
 * holds each request 300 ms before passing it to the Okta simulator and counts the requests in flight. The
 * accounts all start catching up at once; the process may have only two page reads out at a time, and every
 * account still publishes its whole history.
 */
const brokers = inject("kafkaBrokers")
const dir = mkdtempSync(join(tmpdir(), "connector-concurrent-reads-test-"))
const scope = Effect.runSync(Scope.make())
const ids = Array.from({ length: 6 }, () => randomUUID())
const heldMs = 300
let inFlight = 0
let mostInFlight = 0
let requests = 0
let events = 0
let run: RunningCommand
let management = ""

/** Forwards every request to `upstream` after `heldMs`, its links rewritten to stay on this origin. */
const slowGateway = (upstream: string) =>
  serveOnLoopback(undefined, (req: IncomingMessage, res: ServerResponse, origin: string) => {
    requests++
    inFlight++
    mostInFlight = Math.max(mostInFlight, inFlight)
    const done = () => {
      inFlight--
    }
    res.once("close", done)
    setTimeout(() => {
      const target = new URL(upstream)
      const outgoing = request(
        new URL(req.url ?? "/", target),
        { method: req.method ?? "GET", headers: { ...req.headers, host: target.host } },
        (answer) => {
          const { connection: _c, ...headers } = answer.headers
          if (headers.link !== undefined)
            headers.link = [headers.link].flat().map((link) => link.replaceAll(target.origin, origin))
          res.writeHead(answer.statusCode ?? 502, headers)
          answer.pipe(res)
        },
      )
      outgoing.on("error", () => res.destroy())
      outgoing.end()
    }, heldMs)
  })

interface Health {
  readonly integrated_account_id: string
  readonly state: string
  readonly published_total: number
}

beforeAll(async () => {
  const started = await Effect.runPromise(
    Scope.extend(
      Effect.gen(function* () {
        const okta = yield* startOktaSimulator({ seed: 7, historySize: 60, rateLimit: 1_000_000 })
        return { okta, gateway: yield* slowGateway(okta.baseUrl) }
      }),
      scope,
    ),
  )
  events = started.okta.events().length
  const config = writeConfig(
    dir,
    "run",
    ids.map((id) => ({
      ...simulatedAccount(started.okta, id),
      base_url: started.gateway,
      start_from: "earliest",
    })),
    {
      kafka: { brokers: [brokers], topics: uniqueTopics(), partitions: 1 },
      poll: { interval: "30s", page_size: 10, concurrent_reads: 2 },
    },
  )
  run = startCommand(["run", "--config", config])
  management = (await listeners(run)).management
}, 120_000)

afterAll(async () => {
  run?.stop()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  rmSync(dir, { recursive: true, force: true })
})

describe("run --config with poll.concurrent_reads: 2", () => {
  it("has at most two provider requests out at once, and every account catches up", async () => {
    let accounts: Health[] = []
    const deadline = performance.now() + 60_000
    while (performance.now() < deadline) {
      accounts = ((await (await fetch(`${management}/healthz`)).json()) as { accounts: Health[] }).accounts
      if (accounts.length === ids.length && accounts.every((a) => a.published_total === events)) break
      await new Promise((r) => setTimeout(r, 250))
    }
    console.log(
      `${requests} requests through the gateway, at most ${mostInFlight} at once; ${events} events per account`,
    )
    expect(accounts.map((a) => a.published_total)).toEqual(ids.map(() => events))
    // Six accounts reading at once, and reading ahead, would have six or more out; the bound allows two, and
    // with every request held 300 ms they overlap up to it.
    expect(mostInFlight).toBe(2)
    const metrics = await (await fetch(`${management}/metrics`)).text()
    const waited = /^siem_connector_read_slot_wait_seconds_sum(?:\{[^}]*\})? ([\d.e+-]+)$/m.exec(metrics)
    expect(Number(waited?.[1])).toBeGreaterThan(0)
  }, 90_000)
})
