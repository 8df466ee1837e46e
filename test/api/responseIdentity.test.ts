import { randomUUID } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Schema } from "effect"
import { ListActivitiesResponse } from "../../src/api/Api.ts"
import { type Integration, IntegrationNames } from "../../src/providers/registry.ts"
import { startBrowserStackSimulator } from "../../src/simulators/browserstack/BrowserStackSimulator.ts"
import type { ProviderSimulator } from "../../src/simulators/ProviderSimulator.ts"
import { simulators } from "../../src/simulators/registry.ts"
import { startZoomSimulator } from "../../src/simulators/zoom/ZoomSimulator.ts"
import { specActionsAccepted, specFilterRequired, specFilterSupport } from "../support/specMatrix.ts"
import { apiOverAccounts } from "./apiOverSimulator.ts"
import { activitiesPath } from "./apiTestKit.ts"

// The List Activities body is written once from the page the mapping built, not encoded again through the
// response schema on every request. Its bytes must be those the schema's encoding writes: every field in the
// schema's order, nothing the schema does not declare. Checked over every simulated integration, several pages
// of each, in both formats, with and without filters, against the encoding of the same body.

const encodeResponse = Schema.encodeSync(ListActivitiesResponse)

/** Every simulator, its request limits lifted: what is compared is the body, not the provider's pace. */
const startSimulator = (integration: Integration) => {
  const options = { seed: 7, historySize: 60 }
  if (integration === "zoom") return startZoomSimulator({ ...options, requestsPerSecond: 100_000 })
  if (integration === "browserstack")
    return startBrowserStackSimulator({ ...options, burst: 1_000_000, requestsPerMinute: 1_000_000 })
  const start = simulators[integration]
  return start === undefined ? Effect.succeed(undefined) : start(options)
}

/** No filter, an action filter and a created_at filter, where the integration takes them. */
const filterSets = (sim: ProviderSimulator, integration: Integration) => {
  const organization: Record<string, string> = (specFilterRequired.organization_id ?? []).includes(
    integration,
  )
    ? { organization_id: sim.settings.organization_id ?? "" }
    : {}
  const action = specActionsAccepted[integration]?.[0] ?? "login"
  return [
    organization,
    ...(specFilterSupport.action.includes(integration) ? [{ ...organization, action }] : []),
    ...(specFilterSupport.created_at.includes(integration)
      ? [{ ...organization, created_at: "2020-01-01T00:00:00Z" }]
      : []),
  ]
}

describe("the List Activities body", () => {
  it.scoped(
    "is byte for byte the response schema's encoding, for every simulated integration, format and filter",
    () =>
      Effect.gen(function* () {
        const started: Array<{ integration: Integration; id: string; sim: ProviderSimulator }> = []
        for (const integration of IntegrationNames) {
          const sim = yield* startSimulator(integration)
          if (sim !== undefined) started.push({ integration, id: randomUUID(), sim })
        }
        const { url, apiKey } = yield* apiOverAccounts(
          started.map(({ integration, id, sim }) => {
            const { organization_id, ...settings } = sim.settings
            return {
              id,
              integration,
              base_url: sim.baseUrl,
              credentials: sim.credentials,
              ...(organization_id === undefined ? {} : { organization_id }),
              settings,
            }
          }),
        )
        const pageText = (params: Record<string, string>) =>
          Effect.promise(async () => {
            const response = await fetch(new URL(`${activitiesPath}?${new URLSearchParams(params)}`, url), {
              headers: { authorization: `Bearer ${apiKey}` },
            })
            const { status, headers } = response
            return { status, contentType: headers.get("content-type"), text: await response.text() }
          })

        let activities = 0
        for (const { integration, id, sim } of started) {
          for (const filters of filterSets(sim, integration)) {
            for (const format of ["unified", "ocsf"]) {
              let cursor: string | null = null
              for (let page = 0; page < 3 && (page === 0 || cursor !== null); page++) {
                const answer = yield* pageText({
                  integrated_account_id: id,
                  limit: "9",
                  format,
                  ...filters,
                  ...(cursor === null ? {} : { next_cursor: cursor }),
                })
                const what = `${integration} ${JSON.stringify({ ...filters, format, page })}`
                expect(answer.status, `${what}: ${answer.text}`).toBe(200)
                expect(answer.contentType, what).toBe("application/json")
                const body = JSON.parse(answer.text) as ListActivitiesResponse
                expect(answer.text, what).toBe(JSON.stringify(encodeResponse(body)))
                activities += body.result.length
                cursor = body.next_cursor
              }
            }
          }
        }
        // Pages with records in them, not only empty ones, were compared.
        expect(activities).toBeGreaterThan(500)
      }),
    120_000,
  )
})
