import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { ActionValues } from "../../src/domain/Activity.ts"
import { activitiesPath, get, TestApiServer, testApiLayer } from "./apiTestKit.ts"

// biome-ignore lint/suspicious/noExplicitAny: the document is walked as plain JSON.
type Json = any

const resolve = (document: Json, node: Json): Json => {
  if (node?.$ref === undefined) return node
  const name = String(node.$ref).replace("#/components/schemas/", "")
  expect(document.components.schemas[name], `dangling ${node.$ref}`).toBeDefined()
  return resolve(document, document.components.schemas[name])
}

/** Every `$ref` in the document points at a component that exists. */
const refsOf = (node: Json): string[] =>
  node === null || typeof node !== "object"
    ? []
    : Object.entries(node).flatMap(([key, value]) => (key === "$ref" ? [String(value)] : refsOf(value)))

layer(testApiLayer, { excludeTestServices: true })("GET /openapi.json", (it) => {
  it.effect("is an OpenAPI 3.1 document describing the endpoint, its parameters, errors and security", () =>
    Effect.gen(function* () {
      const api = yield* TestApiServer
      const answer = yield* get(api, "/openapi.json", {}, { auth: false })
      expect(answer.status).toBe(200)
      expect(answer.headers.get("content-type")).toBe("application/json")
      const document: Json = answer.body
      expect(document.openapi).toBe("3.1.0")

      const operation = document.paths[activitiesPath].get
      expect(operation.security).toEqual([{ bearerAuth: [] }])
      expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer" })

      const parameters = Object.fromEntries(operation.parameters.map((p: Json) => [p.name, p]))
      expect(Object.keys(parameters).sort()).toEqual(
        [
          "action",
          "actor_id",
          "created_at",
          "entity",
          "entity_type",
          "format",
          "integrated_account_id",
          "ip_address",
          "limit",
          "next_cursor",
          "organization_id",
        ].sort(),
      )
      for (const parameter of Object.values(parameters) as Json[]) expect(parameter.in).toBe("query")
      expect(parameters.integrated_account_id).toMatchObject({
        required: true,
        schema: { type: "string", format: "uuid" },
      })
      expect(parameters.organization_id.required).toBe(false)
      expect(parameters.format).toMatchObject({
        required: false,
        schema: { enum: ["unified", "ocsf"], default: "unified" },
      })
      expect(parameters.created_at.schema).toMatchObject({ type: "string", format: "date-time" })
      expect(parameters.created_at.description).toMatch(/at or after/)
      expect(parameters.limit).toMatchObject({
        required: false,
        schema: { type: "integer", minimum: 1, maximum: 200, default: 50 },
      })
      expect(resolve(document, parameters.action.schema).enum).toEqual([...ActionValues])

      // The per-integration notes of the spec.
      expect(parameters.organization_id.description).toContain("Required in: asana, github")
      expect(parameters.entity.description).toContain("Supported in: zendesk.")
      expect(parameters.actor_id.description).toContain(
        "Supported in: asana, dropbox, hubspot, okta, salesforce, zendesk.",
      )
      expect(parameters.actor_id.description).toContain("profile.account_id")
      expect(parameters.created_at.description).not.toMatch(/Supported in:[^.]*\b(browserstack|github)\b/)
      expect(parameters.action.description).toContain("zoom: login")
      expect(parameters.action.description).toContain("dropbox: login, login_failed, logout")
      expect(parameters.action.description).toContain("figma: login, logout, user_created, user_deleted")

      const ok = resolve(document, operation.responses["200"].content["application/json"].schema)
      expect(ok.required).toEqual(expect.arrayContaining(["result", "next_cursor"]))
      // Activities, or with format=ocsf OCSF events.
      const [activities, events] = ok.properties.result.anyOf
      const activity = resolve(document, activities.items)
      expect(resolve(document, events.items).required).toEqual(
        expect.arrayContaining(["class_uid", "activity_id", "type_uid", "time", "metadata"]),
      )
      expect(activity.required).toEqual(expect.arrayContaining(["id", "created_at"]))
      for (const field of [
        "actor",
        "organization",
        "group",
        "description",
        "action",
        "entity",
        "entity_type",
        "context",
        "remote_data",
      ]) {
        expect(activity.properties, field).toHaveProperty(field)
      }

      for (const status of ["400", "401", "403", "404", "429", "500", "501", "502", "504"]) {
        const error = resolve(document, operation.responses[status].content["application/json"].schema)
        expect(error.properties.error.required, status).toEqual(expect.arrayContaining(["code", "message"]))
      }
      expect(operation.responses["429"].headers).toHaveProperty("Retry-After")

      for (const ref of refsOf(document)) resolve(document, { $ref: ref })
    }),
  )
})
