import { describe, expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { ActionValues } from "../../src/domain/Activity.ts"
import { type FilterName, FilterNames } from "../../src/domain/ActivityFilters.ts"
import { type Integration, IntegrationNames } from "../../src/providers/registry.ts"
import { specActionsAccepted, specFilterRequired, specFilterSupport } from "../support/specMatrix.ts"
import { type Answer, listActivities, type TestApi, TestApiServer, testApiLayer } from "./apiTestKit.ts"

const supportedIn = specFilterSupport
const requiredIn = specFilterRequired.organization_id ?? []
const actionsAccepted = specActionsAccepted

const valueFor = (api: TestApi, integration: Integration, filter: FilterName): string => {
  switch (filter) {
    case "organization_id":
      return api.organizationOf(integration) ?? "org-under-test"
    case "created_at":
      return "2024-01-01T00:00:00Z"
    case "actor_id":
      return "00u1abcd"
    case "action":
      return actionsAccepted[integration]?.[0] ?? "login"
    case "entity":
      return "12345"
    case "entity_type":
      return "ticket"
    case "ip_address":
      return "203.0.113.7"
  }
}

/** The account, plus the organization where the integration requires one (so only the filter under test varies). */
const baseParams = (api: TestApi, integration: Integration): Record<string, string> => ({
  integrated_account_id: api.accountOf[integration],
  limit: "5",
  ...(requiredIn.includes(integration)
    ? { organization_id: valueFor(api, integration, "organization_id") }
    : {}),
})

/** Past validation: a built adapter answers a real page from its simulator; a pending one answers 501. */
const expectAccepted = (api: TestApi, integration: Integration, answer: Answer, what: string) => {
  if (api.simulated(integration)) {
    expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).toBe(200)
    expect(Array.isArray(answer.body.result), what).toBe(true)
    expect(answer.body).toHaveProperty("next_cursor")
  } else {
    expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).toBe(501)
    expect(answer.body.error.code).toBe("not_implemented")
  }
}

const expectRejected = (integration: Integration, answer: Answer, param: string, what: string) => {
  expect(answer.status, `${what}: ${JSON.stringify(answer.body)}`).toBe(400)
  expect(answer.body.error.code).toBe("invalid_parameter")
  expect(answer.body.error.param, what).toBe(param)
  expect(answer.body.error.message.toLowerCase(), what).toContain(integration)
}

layer(testApiLayer, { excludeTestServices: true })(
  "the spec's filter matrix, 7 filters × 13 integrations",
  (it) => {
    for (const integration of IntegrationNames) {
      describe(integration, () => {
        for (const filter of FilterNames) {
          const supported = supportedIn[filter].includes(integration)
          it.effect(
            `${filter}: ${supported ? "accepted" : "400 naming the parameter and the integration"}`,
            () =>
              Effect.gen(function* () {
                const api = yield* TestApiServer
                const answer = yield* listActivities(api, {
                  ...baseParams(api, integration),
                  [filter]: valueFor(api, integration, filter),
                })
                const what = `${integration} ${filter}`
                if (supported) expectAccepted(api, integration, answer, what)
                else expectRejected(integration, answer, filter, what)
              }),
          )
        }

        if (supportedIn.action.includes(integration)) {
          it.effect("action: every value the spec lists for it is accepted, every other value is a 400", () =>
            Effect.gen(function* () {
              const api = yield* TestApiServer
              const accepted = actionsAccepted[integration] ?? ActionValues
              for (const action of ActionValues) {
                const answer = yield* listActivities(api, { ...baseParams(api, integration), action })
                if (accepted.includes(action))
                  expectAccepted(api, integration, answer, `${integration} action=${action}`)
                else expectRejected(integration, answer, "action", `${integration} action=${action}`)
              }
            }),
          )
        }

        if (requiredIn.includes(integration)) {
          it.effect(
            "organization_id: missing is a 400; another organization than the configured one is a 400",
            () =>
              Effect.gen(function* () {
                const api = yield* TestApiServer
                const { organization_id: _, ...withoutOrganization } = baseParams(api, integration)
                expectRejected(
                  integration,
                  yield* listActivities(api, withoutOrganization),
                  "organization_id",
                  "missing",
                )
                const other = yield* listActivities(api, {
                  ...withoutOrganization,
                  organization_id: "some-other-org",
                })
                expect(other.status).toBe(400)
                expect(other.body.error.param).toBe("organization_id")
              }),
          )
        } else {
          it.effect("no filter at all is accepted", () =>
            Effect.gen(function* () {
              const api = yield* TestApiServer
              expectAccepted(
                api,
                integration,
                yield* listActivities(api, baseParams(api, integration)),
                `${integration} bare`,
              )
            }),
          )
        }
      })
    }
  },
)
