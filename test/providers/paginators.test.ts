import { Either } from "effect"
import { describe, expect, it } from "vitest"
import { resolveCall } from "../../src/providers/ProviderCall.ts"
import { bodyCursor } from "../../src/providers/paging/bodyCursor.ts"
import { offsetPaging } from "../../src/providers/paging/offset.ts"
import type { PageQuery } from "../../src/providers/paging/Paginator.ts"
import { queryResultUrl } from "../../src/providers/paging/queryResultUrl.ts"

// The families not yet used by a built stream, exercised on answers in their providers' documented shapes.

const query: PageQuery = { filters: {}, limit: 2, from: undefined, to: undefined, now: 0 }
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

  it("offset: every request asks the stream's page size, whatever the read's limit; a page short of the size the provider echoes ends", () => {
    const confluence = offsetPaging({
      integration: "confluence",
      pageSize: () => 1000,
      request: (start, _q, size) => ({
        target: "wiki/rest/api/audit",
        query: { start: String(start), limit: String(size) },
      }),
      read: (body) => {
        const page = body as { results?: unknown[]; limit?: number }
        return page.results === undefined
          ? undefined
          : { records: page.results, ...(page.limit === undefined ? {} : { pageSize: page.limit }) }
      },
    })
    expect(confluence.first({ ...query, limit: 7 }).query?.limit).toBe("1000")
    expect(Either.getOrThrow(confluence.next({ offset: 1000 }, query)).query).toEqual({
      start: "1000",
      limit: "1000",
    })
    // 1000 records for a read whose limit is 5000: a full page, so the read goes on.
    const thousand = Array.from({ length: 1000 }, (_, i) => i)
    expect(
      Either.getOrThrow(
        confluence.read(answer({ results: thousand }), { ...query, limit: 5000 }, sent(undefined)),
      ).continuation,
    ).toEqual({ offset: 1000 })
    // 500 records without an echoed limit: short of the 1000 asked, the end.
    expect(
      Either.getOrThrow(confluence.read(answer({ results: thousand.slice(0, 500) }), query, sent(undefined)))
        .continuation,
    ).toBeUndefined()
    // Confluence cut the page to its system limit of 2 and says so: two records are a full page.
    expect(
      Either.getOrThrow(confluence.read(answer({ results: [1, 2], limit: 2 }), query, sent(undefined)))
        .continuation,
    ).toEqual({ offset: 2 })
    expect(
      Either.getOrThrow(confluence.read(answer({ results: [3], limit: 2 }), query, sent({ offset: 2 })))
        .continuation,
    ).toBeUndefined()
  })

  it("a relative target resolves below the base URL's path (an OAuth gateway base); an absolute one from its origin", () => {
    const gateway = {
      id: "a",
      integration: "jira",
      baseUrl: new URL("https://api.atlassian.com/ex/jira/11223344-a1b2-3b33-c444-def123456789"),
      credentials: undefined as never,
      settings: {},
    } as const
    const below = Either.getOrThrow(resolveCall(gateway, { target: "rest/api/3/auditing/record" }, undefined))
    expect(below.href).toBe(
      "https://api.atlassian.com/ex/jira/11223344-a1b2-3b33-c444-def123456789/rest/api/3/auditing/record",
    )
    const site = { ...gateway, baseUrl: new URL("https://acme.atlassian.net") }
    expect(
      Either.getOrThrow(resolveCall(site, { target: "rest/api/3/auditing/record" }, undefined)).href,
    ).toBe("https://acme.atlassian.net/rest/api/3/auditing/record")
    expect(Either.getOrThrow(resolveCall(gateway, { target: "/v2/x" }, undefined)).pathname).toBe("/v2/x")
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
    // Paths with versions and locators are allowed by a test of the path rather than a list.
    const queryPaths = (pathname: string) => /^\/services\/data\/v\d+\.0\/query(\/[\w-]+)?$/.test(pathname)
    expect(
      Either.isRight(resolveCall(account, { target: "/services/data/v62.0/query/01g-2000" }, queryPaths)),
    ).toBe(true)
    const elsewhere = resolveCall(account, { target: "/services/data/v62.0/sobjects/User" }, queryPaths)
    expect(Either.isLeft(elsewhere) && elsewhere.left._tag).toBe("ProviderBadResponse")
    const listed = resolveCall(account, { target: "/a?x=1" }, ["/a"])
    expect(Either.getOrThrow(listed).href).toBe("https://acme.my.salesforce.com/a?x=1")
    expect(Either.isLeft(resolveCall(account, { target: "/b" }, ["/a"]))).toBe(true)
  })
})
