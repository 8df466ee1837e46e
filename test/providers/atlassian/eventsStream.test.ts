import { describe, expect, it } from "@effect/vitest"
import { Either, Schema } from "effect"
import { ProviderRejected } from "../../../src/http/ProviderError.ts"
import { positionSchema } from "../../../src/providers/ActivityStream.ts"
import {
  type AtlassianCursor,
  canMatchAction,
  describeError,
  eventsStreamPath,
  isCursorRefused,
  nextCursorOf,
} from "../../../src/providers/atlassian/eventsStreamPaging.ts"
import { atlassian } from "../../../src/providers/atlassian/index.ts"
import { eventsStream } from "../../../src/providers/atlassian/streams/eventsStream.ts"
import { AtlassianActionKeys } from "../../../src/providers/atlassian/toActivity.ts"
import { resolveCall } from "../../../src/providers/ProviderCall.ts"
import type { PageQuery } from "../../../src/providers/paging/Paginator.ts"
import { atlassianAccount, pageFixture } from "./atlassianFixtures.ts"

// The events-stream's requests, cursor position and restart, on Atlassian's documented answers; no HTTP.

const START = Date.parse("2026-03-15T09:00:00Z")
const query: PageQuery = {
  settings: atlassianAccount.settings,
  filters: {},
  limit: 500,
  from: START + 0.7,
  to: undefined,
  now: START,
}
const paging = eventsStream.paging
const PATH = "/admin/v1/orgs/ffff-ffff-fff/events-stream"
const urlOf = (call: Parameters<typeof resolveCall>[1]) =>
  Either.getOrThrow(resolveCall(atlassianAccount, call, [PATH]))
const sentWith = (params: Record<string, string>, continuation?: AtlassianCursor) => ({
  url: new URL(`https://api.atlassian.com${PATH}?${new URLSearchParams(params)}`),
  continuation,
})

const event = (id: string, time: string, processedAt = time) => ({
  id,
  type: "events",
  attributes: { time, processedAt, action: "user_login", actor: { id: "acc" } },
})
const page = (data: ReadonlyArray<unknown>, next: string | null = "cursor-2") => ({
  status: 200,
  headers: {},
  body: { data, meta: { next, page_size: 200 }, links: { self: "x" } },
})
const T = "2026-03-15T09:00:05.000Z"

describe("atlassian events-stream requests", () => {
  it("a read starts at a time (epoch ms), oldest processed first, 200 a page at most; then the cursor alone", () => {
    expect(eventsStreamPath("a1b2-c3")).toBe("/admin/v1/orgs/a1b2-c3/events-stream")
    const first = urlOf(paging.first(query))
    expect(first.pathname).toBe(PATH)
    expect(Object.fromEntries(first.searchParams)).toEqual({
      from: String(START),
      limit: "200",
      sortOrder: "asc",
    })
    // No created_at: no `from`, Atlassian starts at the oldest it keeps.
    expect(
      Object.fromEntries(urlOf(paging.first({ ...query, from: undefined, limit: 50 })).searchParams),
    ).toEqual({
      limit: "50",
      sortOrder: "asc",
    })
    const next = urlOf(Either.getOrThrow(paging.next({ token: "abc", seen: [] }, { ...query, limit: 50 })))
    expect(Object.fromEntries(next.searchParams)).toEqual({ cursor: "abc", limit: "50" })
  })

  it("facts: the events-stream path only, created_at pushed down, the action post-filtered; an action no event can carry is not asked", () => {
    const allowed = (target: string) =>
      Either.isRight(resolveCall(atlassianAccount, { target }, eventsStream.paths))
    expect(allowed(`${PATH}?cursor=x`)).toBe(true)
    expect(allowed("/admin/v1/orgs/ffff-ffff-fff/events")).toBe(false)
    expect(allowed("/admin/v1/orgs/ffff-ffff-fff/events-stream/x")).toBe(false)
    expect(eventsStream.pushedDown).toEqual(["created_at"])
    expect(eventsStream.canMatch?.({ action: "login" })).toBe(true)
    // A raw key passes through unchanged: one Atlassian names login_failed would be that unified value.
    expect(eventsStream.canMatch?.({ action: "login_failed" })).toBe(true)
    // A key the table maps elsewhere can never come out as itself.
    expect(canMatchAction("logout", { logout: "login" })).toBe(false)
    expect(eventsStream.canMatch?.({})).toBe(true)
    expect(
      canMatchAction("user_deactivated", { ...AtlassianActionKeys, account_off: "user_deactivated" }),
    ).toBe(true)
    expect(atlassian.capabilities).toEqual({ filters: ["created_at", "action"], requiredFilters: [] })
    expect(atlassian.requiresOrganizationId).toBe(true)
  })

  it("the cursor is meta.next, else links.next's; grove's /events last page has none", () => {
    expect(nextCursorOf(pageFixture("events_stream/001.json"))).toBe("eyJzZXEiOjF9")
    expect(
      nextCursorOf({ links: { next: "https://api.atlassian.com/admin/v1/orgs/o/events-stream?cursor=xyz" } }),
    ).toBe("xyz")
    expect(nextCursorOf(pageFixture("events/001.json"))).toBeUndefined()
  })

  it("errors: the admin API's codes; ADMIN-400-1 is a refused cursor, other 400s are not", () => {
    const refused = { errors: [{ status: "400", code: "ADMIN-400-1", title: "Invalid page cursor" }] }
    expect(describeError(refused)).toEqual({ code: "ADMIN-400-1", message: "Invalid page cursor" })
    expect(describeError("Unauthorized")).toEqual({})
    const rejected = (code: string) =>
      new ProviderRejected({ integration: "atlassian", status: 400, code, message: "atlassian answered 400" })
    expect(isCursorRefused(rejected("ADMIN-400-1"))).toBe(true)
    expect(isCursorRefused(rejected("ADMIN-400-3"))).toBe(false)
    expect(paging.restart?.refused(rejected("ADMIN-400-1"))).toBe(true)
  })
})

describe("atlassian events-stream position", () => {
  it("the position is the cursor plus the latest event time read and the ids at it, across pages", () => {
    const first = Either.getOrThrow(
      paging.read(
        page([event("a", "2026-03-15T09:00:01Z"), event("b", T), event("c", T)], "c1"),
        query,
        sentWith({}),
      ),
    )
    expect(first).toMatchObject({ continuation: { token: "c1", since: T, seen: ["b", "c"] }, hasMore: true })
    // A late-processed event (older event time) is read and published, and leaves the latest time alone.
    const late = event("late", "2026-03-15T08:00:00Z", "2026-03-15T09:10:00Z")
    const second = Either.getOrThrow(
      paging.read(page([late, event("d", T)], "c2"), query, sentWith({ cursor: "c1" }, first.continuation)),
    )
    expect(second.records.map((r) => (r as { id: string }).id)).toEqual(["late", "d"])
    expect(second.continuation).toEqual({ token: "c2", since: T, seen: ["b", "c", "d"] })
    // The last page still has a cursor: caught up for now, and the position decodes as checkpoints hold it.
    const idle = Either.getOrThrow(
      paging.read(page([], "c3"), query, sentWith({ cursor: "c2" }, second.continuation)),
    )
    expect(idle).toEqual({
      records: [],
      continuation: { token: "c3", since: T, seen: ["b", "c", "d"] },
      hasMore: false,
    })
    expect(Schema.decodeUnknownSync(positionSchema(eventsStream))({ token: "c3" })).toEqual({
      token: "c3",
      seen: [],
    })
  })

  it("a refused cursor restarts at the latest event time read; what was read at that instant is dropped", () => {
    const position: AtlassianCursor = { token: "stale", since: T, seen: ["b", "c"] }
    const restart = urlOf(paging.restart?.call(position, query) as never)
    expect(Object.fromEntries(restart.searchParams)).toEqual({
      from: String(Date.parse(T)),
      limit: "200",
      sortOrder: "asc",
    })
    const read = Either.getOrThrow(
      paging.read(
        page([event("b", T), event("c", T), event("d", T), event("e", "2026-03-15T09:00:06Z")], "fresh"),
        query,
        { url: restart, continuation: position },
      ),
    )
    expect(read.records.map((r) => (r as { id: string }).id)).toEqual(["d", "e"])
    expect(read.continuation).toEqual({ token: "fresh", since: "2026-03-15T09:00:06.000Z", seen: ["e"] })
    // Without a time read yet, the restart is the read's own start.
    expect(
      Object.fromEntries(
        urlOf(paging.restart?.call({ token: "stale", seen: [] }, query) as never).searchParams,
      ).from,
    ).toBe(String(START))
  })

  it("a page that is not the stream's shape is a bad response; one without any cursor ends the read", () => {
    const bad = paging.read({ status: 200, headers: {}, body: { data: "nope" } }, query, sentWith({}))
    expect(Either.isLeft(bad) && bad.left._tag).toBe("ProviderBadResponse")
    // No cursor to continue with: the read ends, and the next one starts from the latest instant read.
    const uncursored = Either.getOrThrow(paging.read(page([event("a", T)], null), query, sentWith({})))
    expect(uncursored).toMatchObject({ continuation: { since: T, seen: ["a"] }, hasMore: false })
    expect(uncursored.continuation?.token).toBeUndefined()
    const again = urlOf(Either.getOrThrow(paging.next(uncursored.continuation as AtlassianCursor, query)))
    expect(again.searchParams.get("from")).toBe(String(Date.parse(T)))
    expect(again.searchParams.has("cursor")).toBe(false)
    expect(Either.getOrThrow(paging.read(page([], null), query, sentWith({})))).toMatchObject({
      continuation: undefined,
      hasMore: false,
    })
  })
})
