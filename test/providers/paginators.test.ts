import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { resolveCall } from "../../src/providers/ProviderCall.ts"
import { bodyCursor } from "../../src/providers/paging/bodyCursor.ts"
import { offsetPaging } from "../../src/providers/paging/offset.ts"
import type { PageQuery } from "../../src/providers/paging/Paginator.ts"
import { queryResultUrl } from "../../src/providers/paging/queryResultUrl.ts"

// The families not yet used by a built stream, exercised on answers in their providers' documented shapes.

const query: PageQuery = {
  account: {
    id: "paginator-test",
    integration: "hubspot",
    baseUrl: new URL("https://api.example.com"),
    credentials: undefined as never,
    settings: {},
  },
  filters: {},
  limit: 2,
  from: undefined,
  to: undefined,
  now: 0,
}
const answer = (body: unknown) => ({ status: 200, headers: {}, body })
const sent = <C>(continuation: C | undefined) => ({ url: new URL("https://api.example.com/x"), continuation })

describe("shared paginators", () => {
  it("body cursor (HubSpot `paging.next.after`): the token goes back as `after`; absent or empty ends", () => {
    const hubspot = bodyCursor({
      integration: "hubspot",
      first: () => ({ target: "/account-info/v3/activity/audit-logs", query: { limit: "2" } }),
      next: (token) => ({
        target: "/account-info/v3/activity/audit-logs",
        query: { limit: "2", after: token },
      }),
      read: (body) => {
        const page = body as { results?: unknown[]; paging?: { next?: { after?: string } } }
        return page.results === undefined
          ? undefined
          : { records: page.results, token: page.paging?.next?.after }
      },
    })
    const first = Either.getOrThrow(
      hubspot.read(
        answer({ results: [1, 2], paging: { next: { after: "NTI1Cg%3D%3D" } } }),
        query,
        sent(undefined),
      ),
    )
    expect(first.continuation).toEqual({ token: "NTI1Cg%3D%3D" })
    expect(Either.getOrThrow(hubspot.next({ token: "NTI1Cg%3D%3D" }, query)).query?.after).toBe(
      "NTI1Cg%3D%3D",
    )
    expect(
      Either.getOrThrow(hubspot.read(answer({ results: [3] }), query, sent(first.continuation))).continuation,
    ).toBeUndefined()
    expect(
      Either.getOrThrow(
        hubspot.read(answer({ results: [], paging: { next: { after: "" } } }), query, sent(undefined)),
      ).continuation,
    ).toBeUndefined()
    expect(Either.isLeft(hubspot.read(answer({ nope: true }), query, sent(undefined)))).toBe(true)
  })

  it("offset (Jira): the next offset follows the records read; a short page or the total ends", () => {
    const jira = offsetPaging({
      integration: "jira",
      request: (offset, q) => ({
        target: "/rest/api/3/auditing/record",
        query: { offset: String(offset), limit: String(q.limit) },
      }),
      read: (body) => {
        const page = body as { records?: unknown[]; total?: number }
        return page.records === undefined ? undefined : { records: page.records, total: page.total ?? 0 }
      },
    })
    const first = Either.getOrThrow(jira.read(answer({ records: [1, 2], total: 5 }), query, sent(undefined)))
    expect(first.continuation).toEqual({ offset: 2 })
    const second = Either.getOrThrow(
      jira.read(answer({ records: [3, 4], total: 5 }), query, sent(first.continuation)),
    )
    expect(second.continuation).toEqual({ offset: 4 })
    expect(Either.getOrThrow(jira.next({ offset: 4 }, query)).query?.offset).toBe("4")
    expect(
      Either.getOrThrow(jira.read(answer({ records: [5], total: 5 }), query, sent(second.continuation)))
        .continuation,
    ).toBeUndefined()
  })

  it("query-result URL (Salesforce `nextRecordsUrl`): followed until done, and pinned to the account's origin", () => {
    const salesforce = queryResultUrl({
      integration: "salesforce",
      first: () => ({ target: "/services/data/v62.0/query", query: { q: "SELECT Id FROM LoginHistory" } }),
      read: (body) => {
        const page = body as { records?: unknown[]; nextRecordsUrl?: string; done?: boolean }
        return page.records === undefined
          ? undefined
          : { records: page.records, nextUrl: page.nextRecordsUrl, done: page.done === true }
      },
    })
    const page = Either.getOrThrow(
      salesforce.read(
        answer({
          totalSize: 3,
          done: false,
          nextRecordsUrl: "/services/data/v62.0/query/01gRO0000016PIAYA2-2000",
          records: [1, 2],
        }),
        query,
        sent(undefined),
      ),
    )
    expect(page.continuation).toEqual({ next: "/services/data/v62.0/query/01gRO0000016PIAYA2-2000" })
    expect(
      Either.getOrThrow(salesforce.read(answer({ done: true, records: [3] }), query, sent(page.continuation)))
        .continuation,
    ).toBeUndefined()

    const account = {
      id: "sf",
      integration: "salesforce",
      baseUrl: new URL("https://acme.my.salesforce.com"),
      credentials: undefined as never,
      settings: {},
    }
    const pinned = resolveCall(
      account,
      Either.getOrThrow(salesforce.next(page.continuation as { next: string }, query)),
      undefined,
    )
    expect(Either.getOrThrow(pinned).href).toBe(
      "https://acme.my.salesforce.com/services/data/v62.0/query/01gRO0000016PIAYA2-2000",
    )
    const foreign = resolveCall(
      account,
      { target: "https://evil.example/services/data/v62.0/query/x" },
      undefined,
    )
    expect(Either.isLeft(foreign) && foreign.left._tag).toBe("ForeignHostRefused")
  })
})
