import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { positionSchema } from "../../../src/providers/ActivityStream.ts"
import { auditLogPath, auditLogPhrase, phraseTime } from "../../../src/providers/github/auditLogQuery.ts"
import { github } from "../../../src/providers/github/index.ts"
import { auditLog } from "../../../src/providers/github/streams/auditLog.ts"
import { resolveCall } from "../../../src/providers/ProviderCall.ts"
import type { PageQuery } from "../../../src/providers/paging/Paginator.ts"
import { githubAccount } from "./githubFixtures.ts"

// The audit-log stream's request side and Link reading, on GitHub's documented answers; no HTTP.

const from = Date.parse("2026-03-15T11:00:00.400Z")
const to = Date.parse("2026-03-15T11:55:00.750Z")
const query: PageQuery = { settings: githubAccount.settings, filters: {}, limit: 500, from, to, now: to }
const answer = (link: string | undefined, body: unknown = []) => ({
  status: 200,
  headers: link === undefined ? {} : { link },
  body,
})
const sentFirst = { url: new URL("https://api.github.com/orgs/octo-corp/audit-log"), continuation: undefined }

describe("github audit log: requests", () => {
  it("times in the search syntax are whole seconds, UTC, with Z; a read's range covers its two end seconds", () => {
    expect(phraseTime(Date.parse("2026-03-15T09:00:05.999Z"))).toBe("2026-03-15T09:00:05Z")
    expect(auditLogPhrase(from, to)).toBe("created:>=2026-03-15T11:00:00Z created:<=2026-03-15T11:55:00Z")
    // `to` is exclusive: a range ending on a whole second asks up to the second before it.
    expect(auditLogPhrase(from, Date.parse("2026-03-15T11:55:00Z"))).toBe(
      "created:>=2026-03-15T11:00:00Z created:<=2026-03-15T11:54:59Z",
    )
  })

  it("the first request: the account's org path, its own range, oldest first, web events, 100 a page, GitHub's headers", () => {
    const call = auditLog.paging.first(query)
    const url = Either.getOrThrow(resolveCall(githubAccount, call, ["/orgs/octo-corp/audit-log"]))
    expect(url.origin + url.pathname).toBe("https://api.github.com/orgs/octo-corp/audit-log")
    expect(Object.fromEntries(url.searchParams)).toEqual({
      phrase: "created:>=2026-03-15T11:00:00Z created:<=2026-03-15T11:55:00Z",
      include: "web",
      order: "asc",
      per_page: "100",
    })
    // URLSearchParams writes the phrase's spaces as `+`, the form GitHub's examples use.
    expect(url.search).toContain("phrase=created%3A%3E%3D2026-03-15T11%3A00%3A00Z+created%3A%3C%3D")
    expect(call.headers).toEqual({
      Accept: "application/vnd.github+json",
      "X-GitHub-Api-Version": "2022-11-28",
    })
    expect(auditLogPath("octo corp")).toBe("/orgs/octo%20corp/audit-log")
  })

  it("paths: the org audit log only; pushed down: nothing (the spec gives GitHub no filter but the org)", () => {
    const allowed = (target: string) => Either.isRight(resolveCall(githubAccount, { target }, auditLog.paths))
    expect(allowed("/orgs/octo-corp/audit-log?phrase=x")).toBe(true)
    // GitHub's own links name the org by id: never followed, so never allowed.
    expect(allowed("/organizations/9919/audit-log?after=x")).toBe(false)
    expect(allowed("/orgs/octo-corp/members")).toBe(false)
    expect(auditLog.pushedDown).toEqual([])
    expect(github.capabilities).toEqual({
      filters: ["organization_id"],
      requiredFilters: ["organization_id"],
    })
    expect(auditLog.tail).toMatchObject({ mode: "watermark" })
    // A watermark stream's position is the shared Watermark, never GitHub's cursor.
    expect(
      Schema.decodeUnknownSync(positionSchema(auditLog))({ since: "2026-03-15T11:00:00.400Z", seen: ["a"] }),
    ).toEqual({ since: "2026-03-15T11:00:00.400Z", seen: ["a"], rejected: [] })
  })
})

describe("github audit log: Link header", () => {
  // GitHub's own example (the enterprise guide): the id-based path, a `phrase` GitHub mangled into a key of its
  // own, and the unused cursor written empty in every relation.
  const documented =
    '<https://api.github.com/enterprises/13827/audit-log?phrase%3A2022-11-01=&per_page=100&after=MS42NjQzODMzNTk5MjdlKzEyfDloQzBxdURzaFdVbVlLWjkxRU9mNXc%3D&before=>; rel="next",\n' +
    '<https://api.github.com/enterprises/13827/audit-log?phrase%3A2022-11-01=&per_page=100&after=&before=>; rel="first",\n' +
    '<https://api.github.com/enterprises/13827/audit-log?phrase%3A2022-11-01=&per_page=100&after=&before=MS42Njc4NDA2MjM4MzNlKzEyfExqeG5sUElvNEZMbG1XZHA5akdKTVE%3D>; rel="prev"'

  it("only the after cursor is taken from rel=next; the next request is the read's own query on the org's path", () => {
    const page = Either.getOrThrow(auditLog.paging.read(answer(documented, [{}]), query, sentFirst))
    expect(page.hasMore).toBe(true)
    const next = Either.getOrThrow(auditLog.paging.next(page.continuation as never, query))
    const url = Either.getOrThrow(resolveCall(githubAccount, next, ["/orgs/octo-corp/audit-log"]))
    expect(url.pathname).toBe("/orgs/octo-corp/audit-log")
    expect(Object.fromEntries(url.searchParams)).toEqual({
      phrase: "created:>=2026-03-15T11:00:00Z created:<=2026-03-15T11:55:00Z",
      include: "web",
      order: "asc",
      per_page: "100",
      after: "MS42NjQzODMzNTk5MjdlKzEyfDloQzBxdURzaFdVbVlLWjkxRU9mNXc=",
    })
    expect(next.headers).toMatchObject({ "X-GitHub-Api-Version": "2022-11-28" })
  })

  it("no rel=next is the last page; a rel=next without a cursor, or on another host, is refused", () => {
    const last =
      '<https://api.github.com/organizations/1/audit-log?after=&before=>; rel="first", <https://api.github.com/organizations/1/audit-log?after=&before=abc>; rel="prev"'
    expect(Either.getOrThrow(auditLog.paging.read(answer(last), query, sentFirst))).toEqual({
      records: [],
      continuation: undefined,
      hasMore: false,
    })
    expect(
      Either.getOrThrow(auditLog.paging.read(answer(undefined, [{}]), query, sentFirst)).continuation,
    ).toBe(undefined)
    const noCursor = auditLog.paging.read(
      answer('<https://api.github.com/organizations/1/audit-log?after=&before=>; rel="next"'),
      query,
      sentFirst,
    )
    expect(Either.isLeft(noCursor) && noCursor.left._tag).toBe("ProviderBadResponse")
    const foreign = auditLog.paging.read(
      answer('<https://evil.example/organizations/1/audit-log?after=abc>; rel="next"'),
      query,
      sentFirst,
    )
    expect(Either.isLeft(foreign) && foreign.left._tag).toBe("ForeignHostRefused")
    const notAnArray = auditLog.paging.read(answer(undefined, { message: "x" }), query, sentFirst)
    expect(Either.isLeft(notAnArray) && notAnArray.left._tag).toBe("ProviderBadResponse")
  })

  it("GitHub's error body gives the message", () => {
    expect(
      auditLog.describeError?.({
        message: "Must have admin rights to Repository.",
        documentation_url: "https://docs.github.com/rest",
        status: "403",
      }),
    ).toEqual({ message: "Must have admin rights to Repository." })
    expect(auditLog.describeError?.("nope")).toEqual({})
  })
})
