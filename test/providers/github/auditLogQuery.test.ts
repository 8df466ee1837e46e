import { describe, expect, it } from "@effect/vitest"
import {
  AUDIT_LOG_HEADERS,
  auditLogPath,
  auditLogPhrase,
  auditLogQueryParams,
  isAuditLogPath,
  nextAfterCursor,
  phraseTime,
  readWindow,
} from "../../../src/providers/github/auditLogQuery.ts"
import {
  minPollIntervalMs,
  rateLimitWaitMs,
  readQuota,
  requestsAllowedNow,
  requestsPerPoll,
} from "../../../src/providers/github/auditLogRateLimit.ts"

const NOW = Date.parse("2026-03-15T12:00:00.750Z")

describe("github audit-log requests", () => {
  it("times in the search syntax are whole seconds, UTC, with Z", () => {
    expect(phraseTime(Date.parse("2026-03-15T09:00:05.999Z"))).toBe("2026-03-15T09:00:05Z")
    expect(phraseTime(Date.parse("2026-03-15T09:00:00.000Z"))).toBe("2026-03-15T09:00:00Z")
  })

  it("a read spans the position's second up to now − settle, rounded down; nothing when nothing has settled", () => {
    const since = Date.parse("2026-03-15T11:00:00.400Z")
    expect(readWindow(since, NOW, 5 * 60_000)).toEqual({
      sinceMs: Date.parse("2026-03-15T11:00:00Z"),
      untilMs: Date.parse("2026-03-15T11:55:00Z"),
    })
    expect(readWindow(Date.parse("2026-03-15T11:55:00Z"), NOW, 5 * 60_000)).toBeUndefined()
    expect(readWindow(Date.parse("2026-03-15T11:56:00Z"), NOW, 5 * 60_000)).toBeUndefined()
  })

  it("the phrase bounds the read inclusively at second precision; actions are optional qualifiers", () => {
    const window = {
      sinceMs: Date.parse("2026-03-15T11:00:00Z"),
      untilMs: Date.parse("2026-03-15T11:55:00Z"),
    }
    expect(auditLogPhrase(window)).toBe("created:>=2026-03-15T11:00:00Z created:<=2026-03-15T11:54:59Z")
    expect(auditLogPhrase(window, ["org.add_member", "org.remove_member"])).toBe(
      "created:>=2026-03-15T11:00:00Z created:<=2026-03-15T11:54:59Z action:org.add_member action:org.remove_member",
    )
  })

  it("each page is the read's own query, oldest first, at most 100 a page, web events, plus GitHub's after cursor", () => {
    const window = {
      sinceMs: Date.parse("2026-03-15T11:00:00Z"),
      untilMs: Date.parse("2026-03-15T11:55:00Z"),
    }
    const first = auditLogQueryParams({ window, perPage: 500 })
    expect(Object.fromEntries(first)).toEqual({
      phrase: "created:>=2026-03-15T11:00:00Z created:<=2026-03-15T11:54:59Z",
      include: "web",
      order: "asc",
      per_page: "100",
    })
    // URLSearchParams writes the phrase's spaces as `+`, the form GitHub's examples use.
    expect(first.toString()).toContain("phrase=created%3A%3E%3D2026-03-15T11%3A00%3A00Z+created%3A%3C%3D")
    const next = auditLogQueryParams({ window, perPage: 0, include: "all" }, "MS42Njc4NDA2MjM5NDFlKzEy")
    expect(next.get("after")).toBe("MS42Njc4NDA2MjM5NDFlKzEy")
    expect(next.get("per_page")).toBe("1")
    expect(next.get("include")).toBe("all")
    expect(AUDIT_LOG_HEADERS).toEqual({
      Accept: "application/vnd.github+json",
      "X-GitHub-Api-Version": "2022-11-28",
    })
  })

  it("the after cursor comes from rel=next only (GitHub's documented Link header); none on the last page", () => {
    const link =
      '<https://api.github.com/enterprises/13827/audit-log?phrase%3A2022-11-01=&per_page=100&after=MS42NjQzODMzNTk5MjdlKzEyfDloQzBxdURzaFdVbVlLWjkxRU9mNXc%3D&before=>; rel="next",\n' +
      '<https://api.github.com/enterprises/13827/audit-log?phrase%3A2022-11-01=&per_page=100&after=&before=>; rel="first",\n' +
      '<https://api.github.com/enterprises/13827/audit-log?phrase%3A2022-11-01=&per_page=100&after=&before=MS42Njc4NDA2MjM4MzNlKzEyfExqeG5sUElvNEZMbG1XZHA5akdKTVE%3D>; rel="prev"'
    expect(nextAfterCursor(link)).toBe("MS42NjQzODMzNTk5MjdlKzEyfDloQzBxdURzaFdVbVlLWjkxRU9mNXc=")
    const lastPage =
      '<https://api.github.com/organizations/1/audit-log?after=&before=>; rel="first", <https://api.github.com/organizations/1/audit-log?after=&before=abc>; rel="prev"'
    expect(nextAfterCursor(lastPage)).toBeUndefined()
    expect(nextAfterCursor(undefined)).toBeUndefined()
    expect(
      nextAfterCursor('<https://api.github.com/organizations/1/audit-log?after=>; rel="next"'),
    ).toBeUndefined()
  })

  it("paths: the org's own and the id-based one GitHub's links use", () => {
    expect(auditLogPath("octo corp")).toBe("/orgs/octo%20corp/audit-log")
    expect(isAuditLogPath("/orgs/octo-corp/audit-log", "octo-corp")).toBe(true)
    expect(isAuditLogPath("/organizations/9919/audit-log", "octo-corp")).toBe(true)
    expect(isAuditLogPath("/orgs/other/audit-log", "octo-corp")).toBe(false)
    expect(isAuditLogPath("/organizations/9919/repos", "octo-corp")).toBe(false)
  })
})

describe("github audit-log quota", () => {
  it("1,750 queries an hour: what a poll interval may spend, and the interval a budget needs", () => {
    expect(requestsPerPoll({ intervalMs: 60_000 })).toBe(29)
    expect(requestsPerPoll({ intervalMs: 5 * 60_000 })).toBe(145)
    expect(requestsPerPoll({ intervalMs: 60_000, share: 0.5 })).toBe(14)
    expect(requestsPerPoll({ intervalMs: 1_000 })).toBe(0)
    expect(minPollIntervalMs(1)).toBe(2058)
    expect(minPollIntervalMs(29)).toBeLessThanOrEqual(60_000)
  })

  it("what GitHub reports left lowers the budget when it would not last until the reset", () => {
    const headers = {
      "x-ratelimit-limit": "1750",
      "x-ratelimit-remaining": "10",
      "x-ratelimit-used": "1740",
      "x-ratelimit-reset": String(Math.floor(NOW / 1000) + 600),
      "x-ratelimit-resource": "audit_log",
    }
    const quota = readQuota(headers)
    expect(quota).toEqual({
      limit: 1750,
      remaining: 10,
      used: 1740,
      resetAt: (Math.floor(NOW / 1000) + 600) * 1000,
      resource: "audit_log",
    })
    // Ten left over ten polls before the reset: one a poll.
    expect(requestsAllowedNow(quota, NOW, { intervalMs: 60_000 })).toBe(1)
    expect(requestsAllowedNow({ ...quota, remaining: 1750 }, NOW, { intervalMs: 60_000 })).toBe(29)
    expect(requestsAllowedNow({}, NOW, { intervalMs: 60_000 })).toBe(29)
  })

  it("403 is a rate limit only with retry-after or nothing remaining; otherwise a permission answer", () => {
    const reset = String(Math.floor(NOW / 1000) + 30)
    expect(rateLimitWaitMs(403, { "retry-after": "60" }, NOW)).toBe(60_000)
    expect(rateLimitWaitMs(429, { "retry-after": "0" }, NOW)).toBe(0)
    expect(rateLimitWaitMs(403, { "x-ratelimit-remaining": "0", "x-ratelimit-reset": reset }, NOW)).toBe(
      (Math.floor(NOW / 1000) + 30) * 1000 - NOW,
    )
    expect(rateLimitWaitMs(403, { "x-ratelimit-remaining": "12", "x-ratelimit-reset": reset }, NOW)).toBe(
      undefined,
    )
    expect(rateLimitWaitMs(429, {}, NOW)).toBe(60_000)
    expect(rateLimitWaitMs(401, { "retry-after": "5" }, NOW)).toBeUndefined()
  })
})
