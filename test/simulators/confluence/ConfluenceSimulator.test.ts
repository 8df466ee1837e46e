import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { startConfluenceSimulator } from "../../../src/simulators/confluence/ConfluenceSimulator.ts"

const get = (url: string, authorization?: string) =>
  Effect.promise(async () => {
    const response = await fetch(url, authorization ? { headers: { authorization } } : {})
    // biome-ignore lint/suspicious/noExplicitAny: the provider's JSON, read loosely by the assertions.
    const body = (await response.json()) as any
    return { status: response.status, headers: response.headers, body }
  })
const basic = (email: string, token: string) => `Basic ${Buffer.from(`${email}:${token}`).toString("base64")}`
const PATH = "/wiki/rest/api/audit"

describe("Confluence simulator: audit records as Confluence Cloud answers them", () => {
  it.scopedLive(
    "Basic email:token or Bearer; anything else 401 with Confluence's {statusCode, message}",
    () =>
      Effect.gen(function* () {
        const sim = yield* startConfluenceSimulator({ seed: 2, historySize: 5 })
        expect(
          (yield* get(`${sim.baseUrl}${PATH}`, basic(sim.credentials.email, sim.credentials.api_token)))
            .status,
        ).toBe(200)
        expect((yield* get(`${sim.baseUrl}${PATH}`, `Bearer ${sim.accessToken}`)).status).toBe(200)
        const refused = yield* get(`${sim.baseUrl}${PATH}`, basic(sim.credentials.email, "nope"))
        expect(refused).toMatchObject({ status: 401, body: { statusCode: 401 } })
      }),
  )

  it.scopedLive(
    "start/limit pages newest first, the system limit echoed, size per page; startDate/endDate inclusive ms; searchString",
    () =>
      Effect.gen(function* () {
        const sim = yield* startConfluenceSimulator({ seed: 2, historySize: 20, systemPageLimit: 6 })
        const auth = basic(sim.credentials.email, sim.credentials.api_token)
        const first = yield* get(`${sim.baseUrl}${PATH}?limit=1000`, auth)
        expect(first.body).toMatchObject({ start: 0, limit: 6, size: 6 })
        expect(first.body._links).toMatchObject({ context: "/wiki" })
        const dates = first.body.results.map((r: { creationDate: number }) => r.creationDate)
        expect(dates.every((t: number, i: number) => i === 0 || dates[i - 1] >= t)).toBe(true)
        const second = yield* get(`${sim.baseUrl}${PATH}?start=6&limit=6`, auth)
        expect(second.body.start).toBe(6)
        expect(second.body.results[0].creationDate).toBeLessThanOrEqual(dates.at(-1))

        const at = dates[2] as number
        const exact = yield* get(`${sim.baseUrl}${PATH}?startDate=${at}&endDate=${at}`, auth)
        expect(exact.body.results.length).toBeGreaterThanOrEqual(1)
        expect(exact.body.results.every((r: { creationDate: number }) => r.creationDate === at)).toBe(true)
        expect((yield* get(`${sim.baseUrl}${PATH}?startDate=soon`, auth)).status).toBe(400)

        const spaces = yield* get(`${sim.baseUrl}${PATH}?searchString=space`, auth)
        expect(spaces.body.results.length).toBeGreaterThan(0)
        expect(
          spaces.body.results.every((r: unknown) => JSON.stringify(r).toLowerCase().includes("space")),
        ).toBe(true)
      }),
  )

  it.scopedLive(
    "new records appear over time with emit; a forced 429 carries Retry-After and an ISO reset",
    () =>
      Effect.gen(function* () {
        const sim = yield* startConfluenceSimulator({ seed: 2, historySize: 5 })
        const auth = basic(sim.credentials.email, sim.credentials.api_token)
        const before = sim.events().length
        sim.emit(3)
        expect(sim.events().length).toBeGreaterThanOrEqual(before + 3)
        sim.forceRateLimited(1, 2_000)
        const limited = yield* get(`${sim.baseUrl}${PATH}`, auth)
        expect(limited.status).toBe(429)
        expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(2)
        expect(Date.parse(limited.headers.get("x-ratelimit-reset") ?? "")).toBeGreaterThan(Date.now())
        const newest = yield* get(`${sim.baseUrl}${PATH}?limit=1`, auth)
        expect(newest.body.results[0].creationDate).toBeGreaterThan(Date.now() - 5_000)
      }),
  )
})
