import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema, TestClock } from "effect"
import { readRateLimit, retryAfterMs } from "../../../src/http/rateLimitHeaders.ts"
import { AtlassianEvent, AtlassianEventsPage } from "../../../src/providers/atlassian/AtlassianEvent.ts"
import {
  eventsPath,
  eventsStreamPath,
  nextCursorOf,
  startQuery,
} from "../../../src/providers/atlassian/eventsStreamPaging.ts"
import { toActivity } from "../../../src/providers/atlassian/toActivity.ts"
import {
  type AtlassianSimulatorHandle,
  type AtlassianSimulatorOptions,
  startAtlassianSimulator,
} from "../../../src/simulators/atlassian/AtlassianSimulator.ts"
import { atlassianAccount } from "../../providers/atlassian/atlassianFixtures.ts"

// The simulator on its own, spoken to with plain fetch over loopback, driven by the provider's own request
// helpers: the protocol facts an adapter relies on.

const NOW = Date.parse("2026-03-15T12:00:00Z")
const DAY = 86_400_000

interface Answer {
  readonly status: number
  readonly headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are inspected field by field in assertions.
  readonly body: any
}

const simulator = (options: AtlassianSimulatorOptions = {}) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW)
    return yield* startAtlassianSimulator({ seed: 11, ...options })
  })

const bearer = (sim: AtlassianSimulatorHandle) => ({
  authorization: `Bearer ${sim.credentials.access_token}`,
})

const get = (
  sim: AtlassianSimulatorHandle,
  path: string,
  params: URLSearchParams | Record<string, string> = {},
  headers: Record<string, string> = bearer(sim),
): Effect.Effect<Answer> =>
  Effect.promise(async () => {
    const res = await fetch(`${sim.baseUrl}${path}?${new URLSearchParams(params)}`, { headers })
    return { status: res.status, headers: res.headers, body: await res.json() }
  })

/** One poll: pages through the stream from the cursor (else from two days back) until a page comes back empty. */
const poll = (sim: AtlassianSimulatorHandle, start: string | undefined, limit: number) =>
  Effect.gen(function* () {
    let cursor = start
    const fresh: Array<unknown> = []
    for (let pages = 0; pages < 1000; pages++) {
      const params =
        cursor === undefined ? startQuery(NOW - 2 * DAY, limit) : { cursor, limit: String(limit) }
      const answer = yield* get(sim, eventsStreamPath(sim.orgId), params)
      expect(answer.status, JSON.stringify(answer.body)).toBe(200)
      const page = Schema.decodeUnknownSync(AtlassianEventsPage)(answer.body)
      fresh.push(...(page.data ?? []))
      cursor = nextCursorOf(page) ?? cursor
      if ((page.data ?? []).length === 0) break
    }
    return { cursor, fresh }
  })

const idOf = (event: unknown) => (event as { id: string }).id
const attributesOf = (event: unknown) =>
  (event as { attributes: { time: string; processedAt?: string; action: string } }).attributes

describe("AtlassianSimulator: authentication", () => {
  it.scoped("only Bearer with the org's API key, on that org's path", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 3 })
      const path = eventsStreamPath(sim.orgId)
      expect(sim.settings).toEqual({ organization_id: sim.orgId })
      expect((yield* get(sim, path, {}, {})).status).toBe(401)
      expect(yield* get(sim, path, {}, { authorization: "Bearer wrong" })).toMatchObject({
        status: 401,
        body: { code: 401, message: "Unauthorized" },
      })
      expect(
        (yield* get(sim, path, {}, { authorization: `Basic ${sim.credentials.access_token}` })).status,
      ).toBe(401)
      expect((yield* get(sim, path)).status).toBe(200)
      expect(yield* get(sim, eventsStreamPath("another-org"))).toMatchObject({
        status: 403,
        body: { errors: [{ code: "ADMIN-403-3" }] },
      })
      expect((yield* get(sim, `/admin/v1/orgs/${sim.orgId}/users`)).status).toBe(404)
      expect(JSON.stringify(sim.requests())).not.toContain(sim.credentials.access_token)
    }),
  )
})

describe("AtlassianSimulator: the events stream", () => {
  it.scoped(
    "pages to the end in processing order; the last page still has a cursor, which later yields only new events",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 45 })
        const first = yield* poll(sim, undefined, 10)
        expect(first.fresh.map(idOf)).toEqual(sim.events().map(idOf))
        const processed = first.fresh.map((e) => attributesOf(e).processedAt ?? "")
        expect(processed).toEqual([...processed].sort())
        // Some events were processed minutes after they happened: event time is not the stream's order.
        const times = first.fresh.map((e) => attributesOf(e).time)
        expect(times).not.toEqual([...times].sort())
        const requests = sim.requests()
        expect(requests[0]?.params).toEqual({ from: String(NOW - 2 * DAY), limit: "10", sortOrder: "asc" })
        expect(Object.keys(requests[1]?.params ?? {}).sort()).toEqual(["cursor", "limit"])
        expect(requests.at(-1)?.events).toBe(0)
        expect(first.cursor).toBeDefined()

        yield* TestClock.adjust("1 minute")
        sim.emit(3)
        const second = yield* poll(sim, first.cursor, 10)
        expect(second.fresh.map(idOf)).toEqual(sim.events().slice(-3).map(idOf))
      }),
  )

  it.scoped("from filters on event time; links.next is the cursor as a full URL", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 40 })
      const from = NOW - 6 * 3_600_000
      const answer = yield* get(sim, eventsStreamPath(sim.orgId), { from: String(from), limit: "200" })
      const page = Schema.decodeUnknownSync(AtlassianEventsPage)(answer.body)
      const expected = sim.events().filter((e) => Date.parse(attributesOf(e).time) >= from)
      expect((page.data ?? []).map(idOf)).toEqual(expected.map(idOf))
      expect(page.meta?.page_size).toBe(200)
      expect(page.links?.next).toBe(`${sim.baseUrl}${eventsStreamPath(sim.orgId)}?cursor=${page.meta?.next}`)
      expect((yield* get(sim, eventsStreamPath(sim.orgId), { from: "yesterday" })).body).toMatchObject({
        errors: [{ code: "ADMIN-400-3" }],
      })
    }),
  )
})

describe("AtlassianSimulator: /events and the events it generates", () => {
  it.scoped(
    "the action filter reaches /events, newest first, no processedAt, meta.next null at the end",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 60 })
        const ids: Array<string> = []
        let cursor: string | null = null
        do {
          const params: Record<string, string> = cursor
            ? { cursor, limit: "5" }
            : { action: "user_login", limit: "5" }
          const answer = yield* get(sim, eventsPath(sim.orgId), params)
          expect(answer.status).toBe(200)
          for (const event of answer.body.data) {
            expect(event.attributes.action).toBe("user_login")
            expect(event.attributes).not.toHaveProperty("processedAt")
            ids.push(event.id)
          }
          cursor = answer.body.meta.next
        } while (cursor !== null)
        // Newest first; events of one instant, latest processed first.
        const logins = sim
          .events()
          .map((event, seq) => ({ event, seq }))
          .filter(({ event }) => attributesOf(event).action === "user_login")
          .sort(
            (a, b) =>
              Date.parse(attributesOf(b.event).time) - Date.parse(attributesOf(a.event).time) ||
              b.seq - a.seq,
          )
        expect(ids).toEqual(logins.map(({ event }) => idOf(event)))
        expect(sim.requests()[0]?.params).toEqual({ action: "user_login", limit: "5" })
      }),
  )

  it.scoped("every generated event maps: known keys to unified actions, the rest as they are", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 80 })
      const actions = new Map<string, string>()
      for (const raw of sim.events()) {
        const event = Schema.decodeUnknownSync(AtlassianEvent)(raw)
        actions.set(
          event.attributes.action,
          Either.getOrThrow(toActivity(event, atlassianAccount)).action ?? "",
        )
      }
      expect(actions.get("user_login")).toBe("login")
      expect(actions.get("user_logout")).toBe("logout")
      expect(actions.get("user_created")).toBe("user_created")
      expect(actions.get("user_deactivated")).toBe("user_deactivated")
      expect(actions.get("user_granted_role")).toBe("user_granted_role")
      const noId = sim.injectMalformed("missing-id")
      const zoneless = sim.injectMalformed("zoneless-time")
      expect(Schema.decodeUnknownEither(AtlassianEvent)(noId)._tag).toBe("Left")
      expect(Schema.decodeUnknownEither(AtlassianEvent)(zoneless)._tag).toBe("Left")
    }),
  )
})

describe("AtlassianSimulator: rate limits", () => {
  it.scoped(
    "X-RateLimit-* on every answer, the reset an ISO date-time; over the limit a 429 ADMIN-429-1",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 2, streamRequestsPerMinute: 2 })
        const path = eventsStreamPath(sim.orgId)
        const first = yield* get(sim, path)
        expect(first.headers.get("x-ratelimit-limit")).toBe("2")
        expect(first.headers.get("x-ratelimit-remaining")).toBe("1")
        expect(first.headers.get("x-ratelimit-reset")).toBe(new Date(NOW + 60_000).toISOString())
        yield* get(sim, path)
        const over = yield* get(sim, path)
        expect(over).toMatchObject({
          status: 429,
          body: { errors: [{ code: "ADMIN-429-1", status: "429" }] },
        })
        expect(over.headers.get("retry-after")).toBe("60")
        expect(readRateLimit(Object.fromEntries(over.headers), NOW)).toEqual({
          remaining: 0,
          resetAt: NOW + 60_000,
        })
        // /events counts apart, at 10 a minute.
        expect((yield* get(sim, eventsPath(sim.orgId))).headers.get("x-ratelimit-limit")).toBe("10")
        yield* TestClock.adjust("1 minute")
        expect((yield* get(sim, path)).status).toBe(200)
      }),
  )

  it.scoped("a forced limit, and no Retry-After when switched off: the reset header alone says when", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 2, retryAfter: false })
      sim.forceRateLimited(1, 5_000)
      const over = yield* get(sim, eventsStreamPath(sim.orgId))
      expect(over.status).toBe(429)
      expect(over.headers.get("retry-after")).toBeNull()
      expect(over.headers.get("x-ratelimit-remaining")).toBe("0")
      expect(retryAfterMs(Object.fromEntries(over.headers), NOW)).toBe(5_000)
      expect((yield* get(sim, eventsStreamPath(sim.orgId))).status).toBe(200)
    }),
  )
})
