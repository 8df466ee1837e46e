import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startJiraSimulator } from "../../../src/simulators/jira/JiraSimulator.ts"

const get = (url: string, authorization?: string) =>
  Effect.promise(async () => {
    const response = await fetch(url, authorization ? { headers: { authorization } } : {})
    // biome-ignore lint/suspicious/noExplicitAny: the provider's JSON, read loosely by the assertions.
    const body = (await response.json()) as any
    return { status: response.status, headers: response.headers, body }
  })
const basic = (email: string, token: string) => `Basic ${Buffer.from(`${email}:${token}`).toString("base64")}`
const PATH = "/rest/api/3/auditing/record"

describe("Jira simulator: audit records as Jira Cloud answers them", () => {
  it.scopedLive("Basic email:token or Bearer; anything else 401 with an ErrorCollection", () =>
    Effect.gen(function* () {
      const sim = yield* startJiraSimulator({ seed: 2, historySize: 5 })
      const auth = basic(sim.credentials.email, sim.credentials.api_token)
      expect((yield* get(`${sim.baseUrl}${PATH}`, auth)).status).toBe(200)
      expect(
        (yield* get(`${sim.baseUrl}/rest/api/2/auditing/record`, `Bearer ${sim.accessToken}`)).status,
      ).toBe(200)
      for (const wrong of [
        undefined,
        basic(sim.credentials.email, "nope"),
        `Bearer ${sim.credentials.api_token}`,
      ]) {
        const refused = yield* get(`${sim.baseUrl}${PATH}`, wrong)
        expect(refused.status).toBe(401)
        expect(refused.body.errorMessages[0]).toMatch(/not authenticated/)
      }
    }),
  )

  it.scopedLive(
    "offset/limit pages newest first with total; from/to inclusive; from not before to is empty; filter terms",
    () =>
      Effect.gen(function* () {
        const sim = yield* startJiraSimulator({ seed: 2, historySize: 20 })
        const auth = basic(sim.credentials.email, sim.credentials.api_token)
        const all = yield* get(`${sim.baseUrl}${PATH}?limit=5000`, auth)
        expect(all.body.limit).toBe(1000)
        expect(all.body.total).toBe(sim.events().length)
        const created = all.body.records.map((r: { created: string }) =>
          Date.parse(r.created.replace("+0000", "Z")),
        )
        expect(created.every((t: number, i: number) => i === 0 || created[i - 1] >= t)).toBe(true)
        const page = yield* get(`${sim.baseUrl}${PATH}?offset=3&limit=4`, auth)
        expect(page.body).toMatchObject({ offset: 3, limit: 4, total: all.body.total })
        expect(page.body.records).toEqual(all.body.records.slice(3, 7))

        const edge = all.body.records[5].created as string
        const from = new Date(Date.parse(edge.replace("+0000", "Z"))).toISOString()
        const justAfter = new Date(Date.parse(from) + 1).toISOString()
        const bounded = yield* get(`${sim.baseUrl}${PATH}?from=${from}&to=${justAfter}`, auth)
        expect(bounded.body.records.map((r: { id: number }) => r.id)).toContain(all.body.records[5].id)
        const colonless = yield* get(`${sim.baseUrl}${PATH}?from=${encodeURIComponent(edge)}`, auth)
        expect(colonless.body.total).toBeGreaterThanOrEqual(6)
        const later = new Date(Date.parse(from) + 1).toISOString()
        expect((yield* get(`${sim.baseUrl}${PATH}?from=${later}&to=${from}`, auth)).body.total).toBe(0)
        const bad = yield* get(`${sim.baseUrl}${PATH}?from=yesterday`, auth)
        expect(bad.status).toBe(400)
        expect(bad.body.errorMessages).toHaveLength(1)

        const groups = yield* get(
          `${sim.baseUrl}${PATH}?filter=${encodeURIComponent("group management")}`,
          auth,
        )
        expect(
          groups.body.records.every((r: { category: string }) => r.category === "group management"),
        ).toBe(true)
      }),
  )

  it.scopedLive(
    "a 429 carries Retry-After, X-RateLimit-* with an ISO reset and RateLimit-Reason; quota on every answer",
    () =>
      Effect.gen(function* () {
        const sim = yield* startJiraSimulator({ seed: 2, historySize: 5, requestsPerMinute: 2 })
        const auth = basic(sim.credentials.email, sim.credentials.api_token)
        const ok = yield* get(`${sim.baseUrl}${PATH}`, auth)
        expect(ok.headers.get("x-ratelimit-remaining")).toBe("1")
        expect(ok.headers.get("x-ratelimit-reset")).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/)
        yield* get(`${sim.baseUrl}${PATH}`, auth)
        const limited = yield* get(`${sim.baseUrl}${PATH}`, auth)
        expect(limited.status).toBe(429)
        expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0)
        expect(limited.headers.get("ratelimit-reason")).toBe("jira-burst-based")
        expect(limited.headers.get("x-ratelimit-remaining")).toBe("0")
      }),
  )
})
