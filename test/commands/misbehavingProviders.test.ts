import { randomUUID } from "node:crypto"
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Exit, Scope } from "effect"
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest"
import { simulatedAccount } from "../../src/dev/EmbeddedDefaults.ts"
import { startOktaSimulator } from "../../src/simulators/okta/OktaSimulator.ts"
import { listeners, type RunningCommand, startCommand } from "../support/connectorCommand.ts"
import {
  hugePageBytes,
  type MisbehavingProvider,
  type Misbehaviour,
  Misbehaviours,
  misbehavingProvider,
} from "../support/misbehavingProvider.ts"
import { listPage, writeConfig } from "../support/simulatedAccounts.ts"
import { readTopic, uniqueTopics } from "../support/topics.ts"

/**
 * `run --config` with one healthy Okta account and one account per misbehaviour, each behind its own
 * misbehaving server in front of the same Okta simulator. Each broken account fails clearly (`/healthz`
 * `retrying`, a last_error that names the problem; the endpoint a 502/504 with a code saying which), the
 * unusable records are dead-lettered, the 50 MB page is refused by provider.max_response_bytes, the process's
 * memory stays bounded, and the healthy account's activities all reach the topic.
 */
const brokers = inject("kafkaBrokers")
const dir = mkdtempSync(join(tmpdir(), "connector-misbehaving-test-"))
const scope = Effect.runSync(Scope.make())
const topics = uniqueTopics()
const healthyId = randomUUID()
const ids = Object.fromEntries(Misbehaviours.map((b) => [b, randomUUID()])) as Record<Misbehaviour, string>
const maxResponseBytes = 2 * 1024 * 1024
const requestTimeoutMs = 2_000
/**
 * The bound on the process's resident memory while all of this goes on (eleven accounts, two of them offered a
 * 50 MB page on every attempt): it levels off near 350 MB within seconds of the start. Reading the page whole
 * would hold it as bytes, as text and parsed, several times its size, on each of the repeated attempts.
 */
const rssBoundMb = 450
/** After its first seconds, the process may grow no more than this: the pages keep coming, the memory does not. */
const rssGrowthBoundMb = 40
let proxies = {} as Record<Misbehaviour, MisbehavingProvider>
let oktaEvents = 0
let run: RunningCommand
let urls = { api: "", management: "" }
const rssSamplesMb: number[] = []
let sampler: NodeJS.Timeout | undefined

/** The failure each misbehaviour must be reported as, in `/healthz` and in the endpoint's error. */
const expected: Record<Exclude<Misbehaviour, "unusable_records">, { error: RegExp; codes: string[] }> = {
  malformed_json: { error: /non-JSON/, codes: ["remote_invalid_response"] },
  truncated_body: { error: /non-JSON/, codes: ["remote_invalid_response"] },
  wrong_content_type: { error: /non-JSON.*text\/html/, codes: ["remote_invalid_response"] },
  huge_page: {
    error: new RegExp(`more than ${maxResponseBytes} bytes.*provider\\.max_response_bytes`),
    codes: ["remote_invalid_response"],
  },
  huge_page_declared: {
    error: new RegExp(`announced a \\d+-byte answer, over the ${maxResponseBytes}-byte cap`),
    codes: ["remote_invalid_response"],
  },
  missing_pagination: { error: /without its rel="next" Link header/, codes: ["remote_invalid_response"] },
  stuck_cursor: {
    error: /without moving past the position|next link carries no cursor/,
    codes: ["remote_invalid_response"],
  },
  hang_after_headers: { error: /within 2000ms|timeout/i, codes: ["remote_timeout"] },
  reset_mid_body: { error: /unreachable/, codes: ["remote_unavailable"] },
}
const failing = Object.keys(expected) as Array<keyof typeof expected>

interface Health {
  readonly integrated_account_id: string
  readonly state: string
  readonly last_error?: string
  readonly published_total: number
  readonly dead_lettered_total: number
}
const health = async () =>
  ((await (await fetch(`${urls.management}/healthz`)).json()) as { accounts: Health[] }).accounts

const rssMb = (pid: number) => {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))
  return match ? Number(match[1]) / 1024 : 0
}

beforeAll(async () => {
  const started = await Effect.runPromise(
    Scope.extend(
      Effect.gen(function* () {
        const okta = yield* startOktaSimulator({ seed: 31, historySize: 40, rateLimit: 1_000_000 })
        const proxies = {} as Record<Misbehaviour, MisbehavingProvider>
        for (const behaviour of Misbehaviours)
          proxies[behaviour] = yield* misbehavingProvider(okta.baseUrl, behaviour)
        return { okta, proxies }
      }),
      scope,
    ),
  )
  proxies = started.proxies
  oktaEvents = started.okta.events().length
  const okta = simulatedAccount(started.okta, healthyId)
  const config = writeConfig(
    dir,
    "run",
    [
      { ...okta, start_from: "earliest" },
      ...Misbehaviours.map((behaviour) => ({
        ...okta,
        id: ids[behaviour],
        base_url: proxies[behaviour].origin,
        start_from: "earliest",
      })),
    ],
    {
      kafka: { brokers: [brokers], topics, partitions: 1 },
      poll: { interval: "1s", page_size: 20 },
      provider: { max_response_bytes: maxResponseBytes, request_timeout: `${requestTimeoutMs}ms` },
    },
  )
  run = startCommand(["run", "--config", config])
  const pid = run.child.pid as number
  sampler = setInterval(() => {
    try {
      rssSamplesMb.push(rssMb(pid))
    } catch {
      // The process has gone; the tests say so.
    }
  }, 100)
  urls = await listeners(run)
}, 120_000)

afterAll(async () => {
  clearInterval(sampler)
  run?.stop()
  await Effect.runPromise(Scope.close(scope, Exit.void))
  rmSync(dir, { recursive: true, force: true })
})

describe("run --config beside misbehaving providers", () => {
  it("each broken account is retrying with a last_error naming its problem", async () => {
    const seenAt = new Map<Misbehaviour, { ms: number; error: string }>()
    const deadline = performance.now() + 45_000
    while (seenAt.size < failing.length && performance.now() < deadline) {
      for (const account of await health()) {
        const behaviour = failing.find((b) => ids[b] === account.integrated_account_id)
        if (behaviour === undefined || seenAt.has(behaviour)) continue
        if (account.state === "retrying" && account.last_error !== undefined)
          seenAt.set(behaviour, {
            ms: Math.round(performance.now() - (proxies[behaviour].firstRequestAt() ?? 0)),
            error: account.last_error,
          })
      }
      await new Promise((r) => setTimeout(r, 200))
    }
    console.log(
      "time from first request to /healthz retrying:",
      Object.fromEntries([...seenAt].map(([b, { ms, error }]) => [b, `${ms}ms: ${error}`])),
    )
    for (const behaviour of failing) {
      const seen = seenAt.get(behaviour)
      expect(seen, `${behaviour} never showed as retrying`).toBeDefined()
      expect(seen?.error, behaviour).toMatch(expected[behaviour].error)
    }
  }, 60_000)

  it("the endpoint answers each broken account with a 502/504 and a code saying which", async () => {
    const answers = await Promise.all(
      failing.map(async (behaviour) => {
        // A stuck cursor shows on the second page: the first has nothing to compare its next link with.
        let page = await listPage(urls.api, { integrated_account_id: ids[behaviour], limit: "5" })
        for (let i = 0; i < 3 && page.status === 200 && page.body.next_cursor; i++)
          page = await listPage(urls.api, {
            integrated_account_id: ids[behaviour],
            limit: "5",
            next_cursor: page.body.next_cursor,
          })
        return [behaviour, page] as const
      }),
    )
    for (const [behaviour, page] of answers) {
      const what = `${behaviour}: ${page.status} ${JSON.stringify(page.body)}`
      expect(page.status === 502 || page.status === 504, what).toBe(true)
      expect(expected[behaviour].codes, what).toContain(page.body.error?.code)
      expect(page.body.error?.message, what).toMatch(expected[behaviour].error)
    }
  }, 60_000)

  it("the 50 MB pages are refused early, and the process's memory stays bounded", () => {
    const peak = Math.max(...rssSamplesMb)
    console.log(
      "RSS every second (MB):",
      rssSamplesMb
        .filter((_, i) => i % 10 === 0)
        .map(Math.round)
        .join(" "),
    )
    console.log(
      `RSS: ${rssSamplesMb.length} samples, first ${rssSamplesMb[0]?.toFixed(0)} MB, peak ${peak.toFixed(0)} MB; huge page bytes written before the client stopped reading: ${proxies.huge_page.hugeBytesWritten()}, declared: ${proxies.huge_page_declared.hugeBytesWritten()}`,
    )
    expect(peak).toBeLessThan(rssBoundMb)
    const settled = rssSamplesMb[100] ?? 0
    expect(Math.max(...rssSamplesMb.slice(100)) - settled).toBeLessThan(rssGrowthBoundMb)
    console.log(
      `huge page requests: ${proxies.huge_page.requests()} streamed, ${proxies.huge_page_declared.requests()} declared`,
    )
    // Several attempts each, but each stopped near the cap, far short of the page.
    expect(proxies.huge_page.hugeBytesWritten()).toBeLessThan(hugePageBytes)
  })

  it("unusable records are dead-lettered, and the healthy account's activities all reach the topic", async () => {
    const [activities, deadLetters] = await Promise.all([
      readTopic(
        brokers,
        topics.activities,
        (read) => read.filter((m) => m.key === healthyId).length >= oktaEvents,
        45_000,
      ),
      readTopic(
        brokers,
        topics.dead_letter,
        (read) => read.filter((m) => m.value?.includes(ids.unusable_records)).length >= oktaEvents / 2,
        45_000,
      ),
    ])
    expect(activities.filter((m) => m.key === healthyId)).toHaveLength(oktaEvents)
    const unusable = deadLetters.filter((m) => m.value?.includes(ids.unusable_records))
    expect(unusable.length).toBeGreaterThanOrEqual(Math.floor(oktaEvents / 2))
    expect(JSON.parse(unusable[0]?.value ?? "{}")).toMatchObject({ stage: "decode" })
    // The usable half of that account's records was published.
    expect(activities.some((m) => m.key === ids.unusable_records)).toBe(true)
    // No other broken account published anything, but the stuck cursor's first page, which was good: its
    // next link is refused before the same records could be published again.
    const stuck = activities.filter((m) => m.key === ids.stuck_cursor)
    expect(stuck.length).toBeLessThanOrEqual(20)
    expect(new Set(stuck.map((m) => m.value)).size).toBe(stuck.length)
    for (const behaviour of failing.filter((b) => b !== "stuck_cursor"))
      expect(
        activities.some((m) => m.key === ids[behaviour]),
        behaviour,
      ).toBe(false)
  }, 60_000)

  it("is alive at the end, degraded (not down), and the healthy account is caught up", async () => {
    expect(run.child.exitCode).toBeNull()
    const response = await fetch(`${urls.management}/healthz`)
    expect(response.status).toBe(200)
    const report = (await response.json()) as { status: string; accounts: Health[] }
    expect(report.status).toBe("degraded")
    const healthy = report.accounts.find((a) => a.integrated_account_id === healthyId)
    expect(healthy?.state).toBe("caught_up")
    expect(healthy?.published_total).toBe(oktaEvents)
  })
})
