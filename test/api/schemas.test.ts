import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { Activity } from "../../src/domain/Activity.ts"
import { RecordEnvelope } from "../../src/domain/RecordEnvelope.ts"
import { committedSchema } from "../support/publishedSchemas.ts"
import { get, listActivities, TestApiServer, testApiLayer } from "./apiTestKit.ts"

const published = [
  ["/schemas/v1/activity.json", "v1/activity.json"],
  ["/schemas/v1/login-failed.json", "v1/login-failed.json"],
  ["/schemas/v1/dead-letter.json", "v1/dead-letter.json"],
  ["/schemas/v1/ocsf.json", "v1/ocsf.json"],
] as const

layer(testApiLayer, { excludeTestServices: true })("the published schemas on the API listener", (it) => {
  it.effect("serves each committed schema at /schemas/<file>, without an API key", () =>
    Effect.gen(function* () {
      const api = yield* TestApiServer
      for (const [path, file] of published) {
        const answer = yield* get(api, path, {}, { auth: false })
        expect([path, answer.status]).toEqual([path, 200])
        expect(answer.headers.get("content-type")).toBe("application/json")
        expect(answer.body).toEqual(committedSchema(file))
      }
      const unknown = yield* get(api, "/schemas/v1/checkpoint.json", {}, { auth: false })
      expect(unknown.status).toBe(404)
      const post = yield* get(api, "/schemas/v1/activity.json", {}, { auth: false, method: "POST" })
      expect(post.status).toBe(405)
    }),
  )

  it.effect("lists them in the OpenAPI document", () =>
    Effect.gen(function* () {
      const api = yield* TestApiServer
      const document = (yield* get(api, "/openapi.json", {}, { auth: false })).body
      for (const [path] of published) {
        expect(document.paths[path]?.get, path).toBeDefined()
        expect(document.paths[path].get.security ?? [], path).toEqual([])
      }
    }),
  )

  it.effect("the endpoint's result stays the spec's Activity: no envelope field, no dedupe_key", () =>
    Effect.gen(function* () {
      const api = yield* TestApiServer
      const answer = yield* listActivities(api, { integrated_account_id: api.accountOf.okta, limit: "50" })
      expect(answer.status).toBe(200)
      const result: Array<Record<string, unknown>> = answer.body.result
      expect(result.length).toBeGreaterThan(0)
      const activityFields = new Set(Object.keys(Activity.fields))
      for (const activity of result) {
        for (const field of [...Object.keys(RecordEnvelope.fields), "dedupe_key"])
          expect(activity, field).not.toHaveProperty(field)
        expect(Object.keys(activity).filter((key) => !activityFields.has(key))).toEqual([])
      }
    }),
  )
})
