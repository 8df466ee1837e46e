import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema, TestClock } from "effect"
import { isRateLimitAnswer, retryAfterMs } from "../../../src/http/rateLimitHeaders.ts"
import {
  AUDIT_LOG_HEADERS,
  auditLogPath,
  auditLogPhrase,
} from "../../../src/providers/github/auditLogQuery.ts"
import { GitHubAuditLogEvent } from "../../../src/providers/github/GitHubAuditLogEvent.ts"
import { toActivity } from "../../../src/providers/github/toActivity.ts"
import { nextLink } from "../../../src/providers/paging/nextLink.ts"
import {
  type GitHubSimulatorHandle,
  type GitHubSimulatorOptions,
  startGitHubSimulator,
} from "../../../src/simulators/github/GitHubSimulator.ts"
import { githubAccount } from "../../providers/github/githubFixtures.ts"

// The simulator on its own, spoken to with plain fetch over loopback, driven by the provider's own request
// helpers: the protocol facts an adapter relies on.

const NOW = Date.parse("2026-03-15T12:00:00Z")

interface Answer {
  readonly status: number
  readonly headers: Headers
  // biome-ignore lint/suspicious/noExplicitAny: JSON bodies are inspected field by field in assertions.
  readonly body: any
}

const simulator = (options: GitHubSimulatorOptions = {}) =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW)
    return yield* startGitHubSimulator({ seed: 7, ...options })
  })

const get = (
  sim: GitHubSimulatorHandle,
  pathAndQuery: string,
  headers: Record<string, string> = { authorization: `Bearer ${sim.credentials.access_token}` },
): Effect.Effect<Answer> =>
  Effect.promise(async () => {
    const res = await fetch(new URL(pathAndQuery, sim.baseUrl), { headers })
    return { status: res.status, headers: res.headers, body: await res.json() }
  })

const authorized = (sim: GitHubSimulatorHandle) => ({
  authorization: `Bearer ${sim.credentials.access_token}`,
  ...AUDIT_LOG_HEADERS,
})

/** The `after` cursor of `rel="next"`; undefined on the last page (GitHub writes `after=` empty elsewhere). */
const nextAfter = (link: string | undefined) => {
  const target = nextLink(link)
  const after =
    target === undefined ? null : new URL(target, "https://api.github.com").searchParams.get("after")
  return after ? after : undefined
}

/** Reads `[since, until)` to the end, sending the read's own query with GitHub's `after` cursor each time. */
const readAll = (sim: GitHubSimulatorHandle, window: { sinceMs: number; untilMs: number }, perPage: number) =>
  Effect.gen(function* () {
    const pages: Array<Answer> = []
    let after: string | undefined
    do {
      const query = new URLSearchParams({
        phrase: auditLogPhrase(window.sinceMs, window.untilMs),
        include: "web",
        order: "asc",
        per_page: String(perPage),
        ...(after === undefined ? {} : { after }),
      })
      const page = yield* get(sim, `${auditLogPath(sim.org)}?${query}`, authorized(sim))
      expect(page.status, JSON.stringify(page.body)).toBe(200)
      pages.push(page)
      after = nextAfter(page.headers.get("link") ?? undefined)
    } while (after !== undefined && pages.length < 1000)
    return { pages, events: pages.flatMap((page) => page.body as ReadonlyArray<unknown>) }
  })

const timeOf = (event: unknown) => (event as { "@timestamp": number })["@timestamp"]
const idOf = (event: unknown) => (event as { _document_id: string })._document_id

describe("GitHubSimulator: authentication", () => {
  it.scoped(
    "a classic PAT or an App installation token, under Bearer or token; anything else is GitHub's 401",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 3 })
        const path = auditLogPath(sim.org)
        expect(sim.settings).toEqual({ organization_id: sim.org })
        expect(yield* get(sim, path, {})).toMatchObject({
          status: 401,
          body: { message: "Requires authentication", documentation_url: expect.any(String) },
        })
        expect(yield* get(sim, path, { authorization: "Bearer ghp_not-issued" })).toMatchObject({
          status: 401,
          body: { message: "Bad credentials", status: "401" },
        })
        expect(
          (yield* get(sim, path, { authorization: `Basic ${sim.credentials.access_token}` })).status,
        ).toBe(401)
        expect((yield* get(sim, path, authorized(sim))).status).toBe(200)
        expect(
          (yield* get(sim, path, { authorization: `token ${sim.credentials.access_token}` })).status,
        ).toBe(200)
        expect((yield* get(sim, path, { authorization: `Bearer ${sim.installationToken}` })).status).toBe(200)
        const versioned = yield* get(sim, path, { ...authorized(sim), "x-github-api-version": "1999-01-01" })
        expect(versioned).toMatchObject({
          status: 400,
          body: { message: expect.stringContaining("1999-01-01") },
        })
        expect(yield* get(sim, "/orgs/someone-else/audit-log", authorized(sim))).toMatchObject({
          status: 404,
          body: { message: "Not Found" },
        })
        const seen = sim.requests()
        expect(seen.map((r) => r.authScheme)).toEqual([
          undefined,
          "Bearer",
          "Basic",
          "Bearer",
          "token",
          "Bearer",
          "Bearer",
          "Bearer",
        ])
        expect(seen[3]?.apiVersion).toBe("2022-11-28")
        // The log never keeps a credential.
        expect(JSON.stringify(seen)).not.toContain(sim.credentials.access_token)
      }),
  )
})

describe("GitHubSimulator: search and paging", () => {
  it.scoped(
    "pages to the end oldest first through rel=next after cursors: every event once, in (time, id) order",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 60 })
        const window = { sinceMs: NOW - 25 * 3_600_000, untilMs: NOW + 1000 }
        const { pages, events } = yield* readAll(sim, window, 7)
        expect(pages).toHaveLength(Math.ceil(60 / 7))
        expect(events.map(idOf).sort()).toEqual(sim.events().map(idOf).sort())
        const keys = events.map((e) => [timeOf(e), idOf(e)] as const)
        const sorted = [...keys].sort(([ta, ia], [tb, ib]) => ta - tb || (ia < ib ? -1 : ia > ib ? 1 : 0))
        expect(keys).toEqual(sorted)
        // Several events share a second (and some a millisecond): the boundary the watermark has to handle.
        const seconds = events.map((e) => Math.floor(timeOf(e) / 1000))
        expect(new Set(seconds).size).toBeLessThan(seconds.length)

        // GitHub's Link: one header, every relation with both cursors, on the id-based path; the last page has
        // no rel=next.
        const link = pages[0]?.headers.get("link") ?? ""
        expect(link).toContain(`/organizations/${sim.orgId}/audit-log?`)
        expect(link).toMatch(/rel="next"/)
        expect(link).toMatch(/after=&before=>; rel="first"/)
        expect(pages.at(-1)?.headers.get("link")).not.toMatch(/rel="next"/)
        expect(pages.at(-1)?.headers.get("link")).toMatch(/rel="prev"/)

        // The link itself is followable too, on the path it names.
        const next = /<([^>]*)>; rel="next"/.exec(link)?.[1] ?? ""
        const followed = yield* get(sim, new URL(next).pathname + new URL(next).search, authorized(sim))
        expect(followed.status).toBe(200)
        expect(followed.body).toEqual(pages[1]?.body)
      }),
  )

  it.scoped("the phrase reaches the simulator as GitHub expects it and bounds the search to the second", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 80 })
      const sinceMs = NOW - 12 * 3_600_000
      const window = { sinceMs: Math.floor(sinceMs / 1000) * 1000, untilMs: NOW - 3_600_000 }
      const { events } = yield* readAll(sim, window, 100)
      const expected = sim
        .events()
        .filter((e) => timeOf(e) >= window.sinceMs && timeOf(e) < window.untilMs)
        .map(idOf)
      expect(events.map(idOf).sort()).toEqual(expected.sort())
      const request = sim.requests().at(-1)
      expect(request?.params).toMatchObject({
        phrase: `created:>=${new Date(window.sinceMs).toISOString().replace(".000Z", "Z")} created:<=${new Date(window.untilMs - 1000).toISOString().replace(".000Z", "Z")}`,
        order: "asc",
        include: "web",
        per_page: "100",
      })

      // Action qualifiers: alternatives of one key; a negated one excludes.
      const byAction = yield* get(
        sim,
        `${auditLogPath(sim.org)}?${new URLSearchParams({ phrase: "action:org.add_member action:org.remove_member", per_page: "100" })}`,
        authorized(sim),
      )
      const actions = new Set((byAction.body as ReadonlyArray<{ action: string }>).map((e) => e.action))
      expect([...actions].sort()).toEqual(["org.add_member", "org.remove_member"])
      const category = yield* get(
        sim,
        `${auditLogPath(sim.org)}?${new URLSearchParams({ phrase: "action:org -action:org.sso_response", per_page: "100" })}`,
        authorized(sim),
      )
      for (const e of category.body as ReadonlyArray<{ action: string }>) {
        expect(e.action.startsWith("org.") && e.action !== "org.sso_response").toBe(true)
      }
      // Newest first by default; git events are not in this simulated log.
      const desc = yield* get(sim, `${auditLogPath(sim.org)}?per_page=5`, authorized(sim))
      expect((desc.body as ReadonlyArray<unknown>).map(timeOf)).toEqual(
        [...(desc.body as ReadonlyArray<unknown>).map(timeOf)].sort((a, b) => b - a),
      )
      expect((yield* get(sim, `${auditLogPath(sim.org)}?include=git`, authorized(sim))).body).toEqual([])
      const bad = yield* get(sim, `${auditLogPath(sim.org)}?phrase=created:%3E%3Dyesterday`, authorized(sim))
      expect(bad).toMatchObject({ status: 422, body: { message: "Validation Failed" } })
    }),
  )
})

describe("GitHubSimulator: quota", () => {
  it.scoped(
    "every answer reports the audit-log quota; over it GitHub answers 403 (or 429) with nothing remaining",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 2, queriesPerHour: 3 })
        const path = `${auditLogPath(sim.org)}?per_page=1`
        const first = yield* get(sim, path, authorized(sim))
        expect(
          Object.fromEntries([...first.headers].filter(([name]) => name.startsWith("x-ratelimit"))),
        ).toEqual({
          "x-ratelimit-limit": "3",
          "x-ratelimit-remaining": "2",
          "x-ratelimit-used": "1",
          "x-ratelimit-reset": String(Math.ceil((NOW + 1) / 3_600_000) * 3_600),
          "x-ratelimit-resource": "audit_log",
        })
        yield* get(sim, path, authorized(sim))
        yield* get(sim, path, authorized(sim))
        const over = yield* get(sim, path, authorized(sim))
        expect(over).toMatchObject({
          status: 403,
          body: { message: expect.stringContaining("API rate limit exceeded") },
        })
        expect(over.headers.get("x-ratelimit-remaining")).toBe("0")
        const headers = Object.fromEntries(over.headers)
        expect(isRateLimitAnswer(over.status, headers, NOW)).toBe(true)
        expect(retryAfterMs(headers, NOW)).toBe(3_600_000)
        expect(sim.requests().map((r) => r.rateLimit?.remaining)).toEqual([2, 1, 0, 0])
      }),
  )

  it.scoped(
    "forced limits: the primary one as 429 when configured so, a secondary one with retry-after",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 2, primaryLimitStatus: 429 })
        const path = auditLogPath(sim.org)
        sim.forceRateLimited(1, 5_000)
        const primary = yield* get(sim, path, authorized(sim))
        expect(primary.status).toBe(429)
        expect(retryAfterMs(Object.fromEntries(primary.headers), NOW)).toBe(5_000)
        sim.forceSecondaryRateLimited(1, 42)
        const secondary = yield* get(sim, path, authorized(sim))
        expect(secondary).toMatchObject({
          status: 403,
          body: { message: expect.stringContaining("secondary rate limit") },
        })
        expect(secondary.headers.get("retry-after")).toBe("42")
        expect(isRateLimitAnswer(403, Object.fromEntries(secondary.headers), NOW)).toBe(true)
        expect(retryAfterMs(Object.fromEntries(secondary.headers), NOW)).toBe(42_000)
        expect((yield* get(sim, path, authorized(sim))).status).toBe(200)
      }),
  )
})

describe("GitHubSimulator: records", () => {
  it.scoped("generated events decode and map; malformed ones are rejected; emit adds events at now", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 40 })
      for (const raw of sim.events()) {
        const event = Schema.decodeUnknownSync(GitHubAuditLogEvent)(raw)
        expect(Either.isRight(toActivity(event, githubAccount))).toBe(true)
      }
      const actions = new Set(sim.events().map((e) => (e as { action: string }).action))
      for (const action of ["org.sso_response", "org.add_member", "org.invite_member", "team.add_member"]) {
        expect(actions).toContain(action)
      }
      sim.emit(3)
      expect(sim.events().slice(-3).map(timeOf)).toEqual([NOW, NOW, NOW])
      const noAction = sim.injectMalformed("missing-action")
      const stringTime = sim.injectMalformed("string-timestamp")
      expect(Schema.decodeUnknownEither(GitHubAuditLogEvent)(noAction)._tag).toBe("Left")
      expect(Schema.decodeUnknownEither(GitHubAuditLogEvent)(stringTime)._tag).toBe("Left")
      // They are served like any other event.
      const { events } = yield* readAll(sim, { sinceMs: NOW, untilMs: NOW + 1000 }, 100)
      expect(events).toHaveLength(5)
    }),
  )
})
