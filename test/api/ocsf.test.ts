import { expect, layer } from "@effect/vitest"
import { Effect } from "effect"
import { describeErrors, recordValidators } from "../support/publishedSchemas.ts"
import { listActivities, TestApiServer, testApiLayer } from "./apiTestKit.ts"

// `format=ocsf` on the activities endpoint: the same pages, the same cursors, the Activities as OCSF events.

const validateOcsf = recordValidators().ocsf

interface OcsfLike {
  readonly class_uid: number
  readonly status_id?: number
  readonly metadata: { readonly uid: string; readonly tenant_uid: string; readonly logged_time: number }
}

/** Every page of the account, following next_cursor until null: each page's result, in order. */
const pagesOf = (params: Record<string, string>) =>
  Effect.gen(function* () {
    const api = yield* TestApiServer
    const pages: unknown[][] = []
    let cursor: string | null | undefined
    for (let i = 0; i < 50; i++) {
      const answer = yield* listActivities(api, {
        ...params,
        ...(cursor === undefined || cursor === null ? {} : { next_cursor: cursor }),
      })
      expect(answer.status, JSON.stringify(answer.body)).toBe(200)
      pages.push(answer.body.result)
      cursor = answer.body.next_cursor
      if (cursor === null) break
    }
    return pages
  })

layer(testApiLayer, { excludeTestServices: true })("format=ocsf on the activities endpoint", (it) => {
  it.effect("pages by next_cursor as the unified format does, each Activity as a valid OCSF event", () =>
    Effect.gen(function* () {
      const api = yield* TestApiServer
      const account = api.accountOf.okta
      const before = Date.now()
      const unified = yield* pagesOf({ integrated_account_id: account, limit: "7" })
      const ocsf = yield* pagesOf({ integrated_account_id: account, limit: "7", format: "ocsf" })
      expect(ocsf.length).toBeGreaterThan(2)
      // The same pages: the OCSF events' metadata.uid are the Activities' ids, page by page.
      expect(ocsf.map((page) => page.map((e) => (e as OcsfLike).metadata.uid))).toEqual(
        unified.map((page) => page.map((a) => (a as { id: string }).id)),
      )
      const events = ocsf.flat() as OcsfLike[]
      for (const event of events) {
        expect(validateOcsf(event), describeErrors(validateOcsf.errors)).toBe(true)
        // No envelope on the endpoint: the account of the request, observed now.
        expect(event.metadata.tenant_uid).toBe(account)
        expect(event.metadata.logged_time).toBeGreaterThanOrEqual(before)
      }
      expect(new Set(events.map((e) => e.class_uid))).toEqual(new Set([3002, 3004]))
      expect(events.some((e) => e.class_uid === 3002 && e.status_id === 2)).toBe(true)
    }),
  )

  it.effect("a cursor is bound to the account and filters, not to the format", () =>
    Effect.gen(function* () {
      const api = yield* TestApiServer
      const params = { integrated_account_id: api.accountOf.okta, limit: "3", action: "login" }
      const first = yield* listActivities(api, params)
      const cursor = first.body.next_cursor as string
      // A unified page's cursor continues as OCSF, and the other way round.
      const asOcsf = yield* listActivities(api, { ...params, format: "ocsf", next_cursor: cursor })
      expect(asOcsf.status).toBe(200)
      expect((asOcsf.body.result as OcsfLike[]).every((e) => e.class_uid === 3002)).toBe(true)
      const back = yield* listActivities(api, { ...params, next_cursor: asOcsf.body.next_cursor })
      expect(back.status).toBe(200)
      // Another filter with the same cursor is refused, whatever the format.
      const otherFilter = yield* listActivities(api, {
        ...params,
        action: "logout",
        format: "ocsf",
        next_cursor: cursor,
      })
      expect(otherFilter.status).toBe(400)
      expect(otherFilter.body.error).toMatchObject({ code: "invalid_parameter", param: "next_cursor" })
    }),
  )

  it.effect("a bad format is a 400 naming format", () =>
    Effect.gen(function* () {
      const api = yield* TestApiServer
      for (const format of ["OCSF", "json", ""]) {
        const answer = yield* listActivities(api, { integrated_account_id: api.accountOf.okta, format })
        expect(answer.status).toBe(400)
        expect(answer.body.error).toMatchObject({ code: "invalid_parameter", param: "format" })
        expect(answer.body.error.message).toContain("unified or ocsf")
      }
    }),
  )
})
