import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Redacted, Schema, TestClock } from "effect"
import { Authorization } from "../../../src/auth/Authorization.ts"
import type { ActivityFilters } from "../../../src/domain/ActivityFilters.ts"
import type { IntegratedAccount } from "../../../src/domain/IntegratedAccount.ts"
import { ProviderHttp } from "../../../src/http/ProviderHttp.ts"
import type { Watermark } from "../../../src/providers/ActivityStream.ts"
import { providers } from "../../../src/providers/registry.ts"
import { zendesk } from "../../../src/providers/zendesk/index.ts"
import { describeZendeskError } from "../../../src/providers/zendesk/ZendeskAuditLog.ts"
import {
  startZendeskSimulator,
  type ZendeskSimulatorHandle,
  type ZendeskSimulatorOptions,
} from "../../../src/simulators/zendesk/ZendeskSimulator.ts"
import { pollStream } from "../../support/pollStream.ts"
import { eventually, sleepingFor } from "../../support/testClock.ts"

// The simulated account spoken to over loopback HTTP: plain fetch for the protocol, the project's Authorization
// and ProviderHttp for credentials and the 429, production's stream read for paging and polls.

const NOW = Date.parse("2026-03-02T12:00:00Z")

interface Answer {
  readonly status: number
  readonly headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are inspected field by field in assertions.
  readonly body: any
}

const get = (url: string | URL, authorization?: string): Effect.Effect<Answer> =>
  Effect.promise(async () => {
    const res = await fetch(url, { headers: authorization ? { authorization } : {} })
    return { status: res.status, headers: res.headers, body: await res.json() }
  })

const basic = (sim: ZendeskSimulatorHandle) =>
  `Basic ${Buffer.from(`${sim.credentials.email}/token:${sim.credentials.api_token}`).toString("base64")}`

const simulator = (options: ZendeskSimulatorOptions = {}) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW)
    return yield* startZendeskSimulator({ seed: 5, requestsPerMinute: 100_000, ...options })
  })

const accountOf = (
  sim: ZendeskSimulatorHandle,
  credentials: Record<string, string> = sim.credentials,
): IntegratedAccount => ({
  id: "zendesk-sim",
  integration: "zendesk",
  baseUrl: new URL(sim.baseUrl),
  credentials: Schema.decodeUnknownSync(zendesk.credentials)(credentials),
  settings: {},
})

/**
 * One poll as production runs it (`readStreamPage` until caught up), with the stream's settle window (0 unless
 * given) and pages of `pageSize` records; `pages` counts the requests it sent.
 */
const poll = (
  sim: ZendeskSimulatorHandle,
  filters: ActivityFilters,
  from: Watermark | undefined,
  options: { readonly settleMs?: number; readonly pageSize?: number } = {},
) =>
  Effect.gen(function* () {
    const before = sim.requests().length
    const result = yield* pollStream(zendesk, "audit_logs", accountOf(sim), filters, from, {
      ...options,
      pageSize: options.pageSize ?? 100,
    })
    for (const answer of sim.requests().slice(before)) expect(answer.status).toBe(200)
    return { ...result, pages: sim.requests().length - before }
  })

const idOf = (record: unknown) => (record as { id: number }).id
const timeOf = (record: unknown) => Date.parse((record as { created_at: string }).created_at)

describe("ZendeskSimulator: authentication", () => {
  it.scoped("Basic {email}/token:{api_token} or an OAuth Bearer token; anything else is Zendesk's 401", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 3 })
      const url = `${sim.baseUrl}/api/v2/audit_logs.json?page[size]=10`
      expect((yield* get(url, basic(sim))).status).toBe(200)
      expect((yield* get(url, `Bearer ${sim.accessToken}`)).status).toBe(200)
      const plainPassword = `Basic ${Buffer.from(`${sim.credentials.email}:${sim.credentials.api_token}`).toString("base64")}`
      for (const authorization of [
        undefined,
        plainPassword,
        "Bearer nope",
        `Basic ${Buffer.from(`${sim.credentials.email}/token:wrong`).toString("base64")}`,
      ]) {
        expect(yield* get(url, authorization)).toMatchObject({
          status: 401,
          body: { error: "Couldn't authenticate you" },
        })
      }
      expect(sim.requests().map((r) => r.authScheme)).toEqual([
        "Basic",
        "Bearer",
        undefined,
        "Basic",
        "Bearer",
        "Basic",
      ])
      expect(JSON.stringify(sim.requests())).not.toContain(sim.credentials.api_token)
      expect(yield* get(`${sim.baseUrl}/api/v2/tickets.json`, basic(sim))).toMatchObject({
        status: 404,
        body: { error: "InvalidEndpoint", description: "Not found" },
      })
    }),
  )

  it.scopedLive("the account's configured credentials, through the Authorization service, are accepted", () =>
    Effect.gen(function* () {
      const sim = yield* startZendeskSimulator({ historySize: 3 })
      for (const credentials of [sim.credentials, { access_token: sim.accessToken }]) {
        const account = accountOf(sim, credentials)
        const header = yield* Effect.flatMap(Authorization, (a) => a.headerFor(account))
        const answer = yield* get(`${sim.baseUrl}/api/v2/audit_logs?page[size]=1`, Redacted.value(header))
        expect(answer.status).toBe(200)
      }
    }).pipe(Effect.provide(Authorization.layer(providers).pipe(Layer.provideMerge(ProviderHttp.layer())))),
  )
})

describe("ZendeskSimulator: listing and paging", () => {
  it.scoped("cursor pages to the end, oldest first with sort=created_at: every record once", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 300 })
      const { published, pages } = yield* poll(sim, {}, undefined, { pageSize: 7 })
      expect(published.map(idOf).sort()).toEqual(sim.auditLogs().map(idOf).sort())
      expect(pages).toBe(Math.ceil(300 / 7))
      const times = published.map(timeOf)
      expect([...times].sort((a, b) => a - b)).toEqual(times)
      // Several records share a second.
      expect(new Set(times).size).toBeLessThan(times.length)
      const requests = sim.requests()
      expect(requests[1]?.params).toEqual([
        ...(requests[0]?.params ?? []),
        ["page[after]", expect.any(String)],
      ])
      expect(requests.map((r) => r.records)).toEqual([...Array(pages - 1).fill(7), 300 - (pages - 1) * 7])
    }),
  )

  it.scoped(
    "links.next names the same list on the account's origin; without sort, newest first; without page[size], offset pages",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 30 })
        const first = yield* get(`${sim.baseUrl}/api/v2/audit_logs?page[size]=10`, basic(sim))
        expect(first.body.meta).toEqual({
          has_more: true,
          after_cursor: expect.any(String),
          before_cursor: expect.any(String),
        })
        expect(first.body.links.next).toBe(
          `${sim.baseUrl}/api/v2/audit_logs.json?page%5Bsize%5D=10&page%5Bafter%5D=${first.body.meta.after_cursor}`,
        )
        const newest = first.body.audit_logs.map(timeOf)
        expect([...newest].sort((a: number, b: number) => b - a)).toEqual(newest)
        const second = yield* get(first.body.links.next, basic(sim))
        expect(second.body.links.prev).toEqual(expect.stringContaining("page%5Bbefore%5D="))
        const back = yield* get(second.body.links.prev, basic(sim))
        expect(back.body.audit_logs).toEqual(first.body.audit_logs)

        const offset = yield* get(
          `${sim.baseUrl}/api/v2/audit_logs.json?per_page=25&sort_order=asc`,
          basic(sim),
        )
        expect(offset.body).toMatchObject({
          count: 30,
          previous_page: null,
          next_page: expect.stringContaining("page=2"),
        })
        expect(offset.body).not.toHaveProperty("meta")
        expect(offset.body.audit_logs).toHaveLength(25)
        const record = offset.body.audit_logs[0]
        expect(yield* get(`${sim.baseUrl}/api/v2/audit_logs/${record.id}.json`, basic(sim))).toMatchObject({
          status: 200,
          body: { audit_log: record },
        })
        expect(yield* get(`${sim.baseUrl}/api/v2/audit_logs/1`, basic(sim))).toMatchObject({
          status: 404,
          body: { error: "RecordNotFound", description: "Not found" },
        })
      }),
  )

  it.scoped(
    "each filter reaches Zendesk as its own filter[...] parameter and narrows the list as documented",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 600, historySpanMs: 2 * 86_400_000 })
        const all = sim.auditLogs()
        const sample = all.find((r) => r.source_type === "user" && r.action === "update") ?? {}
        const cases: ReadonlyArray<
          readonly [
            ActivityFilters,
            ReadonlyArray<readonly [string, string]>,
            (r: Record<string, unknown>) => boolean,
          ]
        > = [
          [
            { actor_id: String(sample.actor_id) },
            [["filter[actor_id]", String(sample.actor_id)]],
            (r) => r.actor_id === sample.actor_id,
          ],
          [{ action: "updated" }, [["filter[action]", "update"]], (r) => r.action === "update"],
          [{ action: "login" }, [["filter[action]", "login"]], (r) => r.action === "login"],
          [{ entity_type: "rule" }, [["filter[source_type]", "rule"]], (r) => r.source_type === "rule"],
          [
            { entity_type: "user", entity: String(sample.source_id) },
            [
              ["filter[source_type]", "user"],
              ["filter[source_id]", String(sample.source_id)],
            ],
            (r) => r.source_type === "user" && r.source_id === sample.source_id,
          ],
          [
            { ip_address: String(sample.ip_address) },
            [["filter[ip_address]", String(sample.ip_address)]],
            (r) => r.ip_address === sample.ip_address,
          ],
          [
            { created_at: "2026-03-01T12:00:00Z" },
            [],
            (r) => Date.parse(String(r.created_at)) >= Date.parse("2026-03-01T12:00:00Z"),
          ],
        ]
        for (const [filters, params, expected] of cases) {
          const { published } = yield* poll(sim, filters, undefined, { pageSize: 100 })
          const wanted = all.filter(expected)
          expect([filters, published.map(idOf).sort()]).toEqual([filters, wanted.map(idOf).sort()])
          expect(wanted.length).toBeGreaterThan(0)
          const sent = sim.requests().at(-1)?.params ?? []
          for (const param of params) expect(sent).toContainEqual(param)
          expect(sent.filter(([name]) => name === "filter[created_at][]")).toHaveLength(2)
        }
        const range = sim
          .requests()
          .at(-1)
          ?.params.filter(([name]) => name === "filter[created_at][]")
        // [from, to = now) as Zendesk's closed range of whole seconds.
        expect(range).toEqual([
          ["filter[created_at][]", "2026-03-01T12:00:00Z"],
          ["filter[created_at][]", "2026-03-02T11:59:59Z"],
        ])
        // An action Zendesk never records asks nothing of Zendesk.
        const before = sim.requests().length
        const none = yield* poll(sim, { action: "login_failed" }, undefined)
        expect(none).toMatchObject({ published: [], pages: 0 })
        expect(sim.requests()).toHaveLength(before)
      }),
  )

  it.scoped("refuses malformed parameters with a 400 in Zendesk's error shape", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 3 })
      for (const query of [
        "page[size]=10&filter[created_at][]=2026-03-01T00:00:00Z",
        "page[size]=10&filter[created_at]=2026-03-01T00:00:00Z",
        "page[size]=10&filter[created_at][]=yesterday&filter[created_at][]=2026-03-02T00:00:00Z",
        "page[size]=10&filter[source_id]=3456",
        "page[size]=10&filter[actor_id]=abc",
        "page[size]=101",
        "page[size]=10&sort=id",
        "page[size]=10&page[after]=not-a-cursor",
        "per_page=500",
      ]) {
        const answer = yield* get(`${sim.baseUrl}/api/v2/audit_logs?${query}`, basic(sim))
        expect([query, answer.status]).toEqual([query, 400])
        expect(describeZendeskError(answer.body)).toEqual({
          code: expect.any(String),
          message: expect.any(String),
        })
      }
    }),
  )
})

describe("ZendeskSimulator: tailing across polls", () => {
  it.scoped(
    "records over time, many in one second, a late one within the settle margin, malformed ones: each well-formed once",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 40, historySpanMs: 3_600_000 })
        const published: Array<unknown> = []
        const rejected: Array<unknown> = []
        let position: Watermark | undefined
        const run = () =>
          Effect.gen(function* () {
            const result = yield* poll(sim, {}, position, { settleMs: 30_000, pageSize: 5 })
            published.push(...result.published)
            rejected.push(...result.rejected.map(({ raw }) => raw))
            position = result.position
          })
        yield* run()
        const malformed: Array<unknown> = []
        for (let round = 0; round < 6; round++) {
          sim.emit(9)
          yield* TestClock.adjust("20 seconds")
          yield* run()
          const clock = yield* Effect.clockWith((c) => c.currentTimeMillis)
          if (round === 2) {
            // Visible 25 s after its time, older than the round's burst.
            const at = clock - 25_000
            sim.inject(
              {
                id: 1,
                action: "login",
                actor_id: 7,
                created_at: new Date(at).toISOString().replace(".000Z", "Z"),
              },
              at,
            )
          }
          if (round === 3) malformed.push(sim.injectMalformed("missing-id"), sim.injectMalformed("bad-time"))
        }
        yield* TestClock.adjust("1 minute")
        yield* run()
        yield* run()

        const ids = published.map(idOf)
        expect(new Set(ids).size).toBe(ids.length)
        const wellFormed = sim.auditLogs().filter((r) => !malformed.includes(r))
        expect([...ids].sort()).toEqual(wellFormed.map(idOf).sort())
        expect(ids).toContain(1)
        // Handed on once each (to be dead-lettered), not on every poll that reads them again.
        expect(rejected).toEqual(expect.arrayContaining(malformed))
        expect(rejected).toHaveLength(malformed.length)
      }),
  )
})

describe("ZendeskSimulator: rate limits", () => {
  it.scoped(
    "every answer carries X-Rate-Limit(-Remaining) and ratelimit-*; past the limit a 429 with Retry-After",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 3, requestsPerMinute: 3 })
        yield* TestClock.setTime(NOW + 15_000)
        const url = `${sim.baseUrl}/api/v2/audit_logs?page[size]=10`
        const answers: Array<Answer> = []
        for (let i = 0; i < 4; i++) answers.push(yield* get(url, basic(sim)))
        expect(
          answers.map((a) => [
            a.status,
            a.headers.get("x-rate-limit"),
            a.headers.get("x-rate-limit-remaining"),
            a.headers.get("ratelimit-limit"),
            a.headers.get("ratelimit-remaining"),
            a.headers.get("ratelimit-reset"),
          ]),
        ).toEqual([
          [200, "3", "2", "3", "2", "45"],
          [200, "3", "1", "3", "1", "45"],
          [200, "3", "0", "3", "0", "45"],
          [429, "3", "0", "3", "0", "45"],
        ])
        expect(answers[3]?.headers.get("retry-after")).toBe("45")
        expect(answers[3]?.body).toBe("Number of allowed API requests per minute exceeded")
        yield* TestClock.adjust("45 seconds")
        expect((yield* get(url, basic(sim))).status).toBe(200)
        expect(sim.requests().map((r) => r.rateLimit?.remaining)).toEqual([2, 1, 0, 0, 2])
      }),
  )

  // On the TestClock, which the simulator stamps its requests with: the wait is seen, not spent. Longer than a
  // request's own timeout (30 s), whose sleep cannot then pass for this one.
  it.scoped("ProviderHttp waits the 429's Retry-After and gets the page", () =>
    Effect.gen(function* () {
      const sim = yield* startZendeskSimulator({ historySize: 3 })
      sim.forceRateLimited(1, 45_000)
      const account = accountOf(sim)
      const header = yield* Effect.flatMap(Authorization, (a) => a.headerFor(account))
      const sending = yield* Effect.fork(
        Effect.flatMap(ProviderHttp, (http) =>
          http.send({
            account,
            url: new URL(`${sim.baseUrl}/api/v2/audit_logs?page[size]=10`),
            headers: { Authorization: Redacted.value(header) },
            describeError: describeZendeskError,
          }),
        ),
      )
      yield* sleepingFor(45_000, "the wait the 429's Retry-After asks")
      expect(sim.requests().map((r) => r.status)).toEqual([429])
      yield* TestClock.adjust("45 seconds")
      yield* eventually(() => sending.unsafePoll() !== null, "the retry", TestClock.adjust("1 second"))
      const response = yield* Fiber.join(sending)
      expect(response.status).toBe(200)
      const [refused, accepted] = sim.requests()
      expect([refused?.status, accepted?.status]).toEqual([429, 200])
      expect((accepted?.receivedAt ?? 0) - (refused?.receivedAt ?? 0)).toBeGreaterThanOrEqual(45_000)
    }).pipe(
      Effect.provide(
        Authorization.layer(providers).pipe(
          Layer.provideMerge(ProviderHttp.layer({ retryBase: "10 millis" })),
        ),
      ),
    ),
  )
})
