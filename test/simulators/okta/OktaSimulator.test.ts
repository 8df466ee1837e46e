import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { OktaSimulatorHandle } from "../../../src/simulators/okta/OktaSimulator.ts"
import { simulator, uuidsOf } from "../../providers/okta/oktaTestKit.ts"

// The simulator on its own, spoken to with plain fetch: the protocol facts the adapter tests rely on.

interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly body: unknown
}

const get = (
  sim: OktaSimulatorHandle,
  pathAndQuery: string,
  authorization = `SSWS ${sim.credentials.api_token}`,
): Effect.Effect<Answer> =>
  Effect.promise(async () => {
    const res = await fetch(`${sim.baseUrl}${pathAndQuery}`, {
      headers: { Authorization: authorization, Accept: "application/json" },
    })
    return { status: res.status, headers: res.headers, body: (await res.json()) as unknown }
  })

const nextOf = (headers: Headers) => /<([^>]*)>; rel="next"/.exec(headers.get("link") ?? "")?.[1]

describe("OktaSimulator speaks Okta's System Log protocol", () => {
  it.scopedLive("answers with Okta's error bodies", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 3 })
      const unauthorized = yield* get(sim, "/api/v1/logs", "SSWS wrong")
      expect(unauthorized.status).toBe(401)
      expect(unauthorized.body).toEqual({
        errorCode: "E0000011",
        errorSummary: "Invalid token provided",
        errorLink: "E0000011",
        errorId: expect.stringMatching(/^oae\w{19}$/),
        errorCauses: [],
      })
      expect((yield* get(sim, "/api/v1/users")).body).toMatchObject({ errorCode: "E0000007" })
      const cases: ReadonlyArray<readonly [string, string]> = [
        ["limit=1001", "E0000001"],
        ["limit=-1", "E0000001"],
        ["since=yesterday", "E0000001"],
        [`since=${new Date(Date.now() - 181 * 86_400_000).toISOString()}`, "E0000053"],
        ["sortOrder=RANDOM", "E0000001"],
        [`filter=${encodeURIComponent('eventType eq "a" and (actor.id eq "b"')}`, "E0000053"],
        ["after=not-a-cursor", "E0000001"],
      ]
      for (const [query, code] of cases) {
        const res = yield* get(sim, `/api/v1/logs?${query}`)
        expect([query, res.status, (res.body as { errorCode: string }).errorCode]).toEqual([query, 400, code])
      }
    }),
  )

  it.scopedLive(
    "sends self and next links and Okta's rate-limit headers; polling keeps a next link on an empty page",
    () =>
      Effect.gen(function* () {
        const sim = yield* simulator({ historySize: 2 })
        const first = yield* get(sim, "/api/v1/logs?sortOrder=ASCENDING&limit=5")
        expect(first.body).toHaveLength(2)
        expect(first.headers.get("link")).toContain(
          `<${sim.baseUrl}/api/v1/logs?sortOrder=ASCENDING&limit=5>; rel="self"`,
        )
        expect(first.headers.get("x-rate-limit-limit")).toBe("120")
        expect(first.headers.get("x-rate-limit-remaining")).toBe("119")
        expect(Number(first.headers.get("x-rate-limit-reset")) * 1000).toBeGreaterThan(Date.now())
        const next = nextOf(first.headers) ?? ""
        expect(next.startsWith(`${sim.baseUrl}/api/v1/logs?`)).toBe(true)
        const empty = yield* get(sim, next.slice(sim.baseUrl.length))
        expect(empty.body).toEqual([])
        expect(nextOf(empty.headers)).toBeDefined()
      }),
  )

  it.scopedLive("bounded queries (until given) are ordered by published and end without a next link", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 40 })
      const events = sim.events() as ReadonlyArray<{ uuid: string; published: string }>
      const since = events[5]?.published ?? ""
      const until = events[30]?.published ?? ""
      const expected = events
        .filter((e) => e.published >= since && e.published < until)
        .sort((a, b) => a.published.localeCompare(b.published))
      const seen: Array<unknown> = []
      let path: string | undefined = `/api/v1/logs?${new URLSearchParams({ since, until, limit: "7" })}`
      while (path !== undefined) {
        const page: Answer = yield* get(sim, path)
        seen.push(...(page.body as Array<unknown>))
        path = nextOf(page.headers)?.slice(sim.baseUrl.length)
      }
      expect(uuidsOf(seen)).toEqual(uuidsOf(expected))
      // The last page has no next link, so no request is spent finding out there is nothing more.
      expect(sim.requests().length).toBe(Math.max(1, Math.ceil(expected.length / 7)))
    }),
  )

  it.scopedLive("evaluates SCIM filters with and, or and parentheses", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 120 })
      type Raw = {
        eventType: string
        outcome: { result: string } | null
        client: { ipAddress: string | null }
      }
      const events = sim.events() as ReadonlyArray<Raw>
      const filter =
        '(eventType eq "user.session.end" or eventType eq "user.lifecycle.create") or (client.ipAddress eq "192.0.2.66" and outcome.result eq "FAILURE")'
      const res = yield* get(sim, `/api/v1/logs?limit=1000&${new URLSearchParams({ filter })}`)
      const expected = events.filter(
        (e) =>
          e.eventType === "user.session.end" ||
          e.eventType === "user.lifecycle.create" ||
          (e.client.ipAddress === "192.0.2.66" && e.outcome?.result === "FAILURE"),
      )
      expect(expected.length).toBeGreaterThan(10)
      expect(uuidsOf(res.body as Array<unknown>)).toEqual(uuidsOf(expected))
    }),
  )

  it.scopedLive("refuses requests over the per-window limit with a 429 E0000047", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 1, rateLimit: 2, rateLimitWindowMs: 60_000 })
      let over: { status: number; body: unknown } | undefined
      for (let i = 0; i < 10 && over === undefined; i++) {
        const res = yield* get(sim, "/api/v1/logs")
        if (res.status === 429) over = res
      }
      expect(over?.body).toMatchObject({
        errorCode: "E0000047",
        errorSummary: "API call exceeded rate limit due to too many requests.",
      })
      const refused = sim.requests().at(-1)
      expect(refused?.rateLimitRemaining).toBe(0)
      // Exactly the limit was served in the window the refusal fell in.
      const sameWindow = sim.requests().filter((r) => r.rateLimitReset === refused?.rateLimitReset)
      expect(sameWindow.map((r) => r.status)).toEqual([200, 200, 429])
    }),
  )

  it.scopedLive("emit appends events stamped now, a share of them failed logins", () =>
    Effect.gen(function* () {
      const sim = yield* simulator({ historySize: 10 })
      const before = Date.now()
      sim.emit(12)
      const emitted = sim.events().slice(10) as ReadonlyArray<{
        published: string
        outcome: { result: string } | null
        eventType: string
      }>
      expect(emitted).toHaveLength(12)
      for (const e of emitted) expect(Date.parse(e.published)).toBeGreaterThanOrEqual(before - 1)
      const failures = emitted.filter(
        (e) => e.eventType === "user.session.start" && e.outcome?.result === "FAILURE",
      )
      expect(failures.length).toBeGreaterThanOrEqual(3)
      // The attack ends in what follows failed passwords: a lockout, a failed MFA factor, a denied push or a
      // sign-on policy's DENY.
      expect(
        emitted.some(
          (e) =>
            [
              "user.account.lock",
              "user.authentication.auth_via_mfa",
              "user.mfa.okta_verify.deny_push",
              "policy.evaluate_sign_on",
            ].includes(e.eventType) && ["FAILURE", "DENY"].includes(e.outcome?.result ?? ""),
        ),
      ).toBe(true)
    }),
  )
})
