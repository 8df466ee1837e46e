import { Either } from "effect"
import type { GitHubError } from "../../providers/github/GitHubAuditLogEvent.ts"

// What `GET /orgs/{org}/audit-log` answers for a query over the events the simulated org holds. No HTTP here.
// Confirmed from GitHub's reference: `phrase` qualifiers (`created`, `action`, `actor`, `user`; `-` negates),
// `created` on the event time to the second, only the last three months without a `created` qualifier,
// `include` web/git/all (default web), `order` desc by default, `per_page` default 30 and at most 100, and
// `after`/`before` cursors in the Link header. Chosen here: a cursor is GitHub's observed form, base64 of
// `<time as 1.234e+12>|<_document_id>`; pages are keyset pages over (time, id), so events written later
// with an older time are behind a cursor already handed out (GitHub's late backfill); values of `per_page`
// above 100 are capped; an unknown qualifier is ignored; a bad `created` value is a 422.

export interface StoredEvent {
  readonly seq: number
  /** The event time the search and the order go by (ms). */
  readonly at: number
  /** The tie-breaker in the order: `_document_id`, else the insertion number. */
  readonly key: string
  readonly event: unknown
}

export interface SearchPage {
  readonly events: ReadonlyArray<unknown>
  /** Cursor for `rel="next"`, when events follow this page. */
  readonly after?: string
  /** Cursor for `rel="prev"`, when events precede this page. */
  readonly before?: string
}

export type SearchError = { readonly status: 422; readonly body: GitHubError }

const DOCS =
  "https://docs.github.com/enterprise-cloud@latest/rest/orgs/orgs#get-the-audit-log-for-an-organization"
const THREE_MONTHS_MS = 90 * 24 * 60 * 60 * 1000

const validationFailed = (field: string, message: string): SearchError => ({
  status: 422,
  body: {
    message: "Validation Failed",
    errors: [{ resource: "Search", field, code: "invalid", message }],
    documentation_url: DOCS,
    status: "422",
  },
})

export const encodeCursor = (at: number, key: string): string =>
  Buffer.from(`${at.toExponential()}|${key}`).toString("base64")

const decodeCursor = (text: string): { readonly at: number; readonly key: string } | undefined => {
  const decoded = Buffer.from(text, "base64").toString("utf8")
  const bar = decoded.indexOf("|")
  const at = Number(decoded.slice(0, bar))
  return bar > 0 && Number.isFinite(at) ? { at, key: decoded.slice(bar + 1) } : undefined
}

/** A `created` operand: its first ms and the ms just past it (a day, or a second). */
const instantRange = (text: string): { readonly start: number; readonly end: number } | undefined => {
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) {
    const start = Date.parse(`${text}T00:00:00Z`)
    return Number.isNaN(start) ? undefined : { start, end: start + 86_400_000 }
  }
  const match = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(Z|[+-]\d{2}:\d{2})?$/.exec(text)
  if (!match) return undefined
  const start = Date.parse(match[1] ? text : `${text}Z`)
  return Number.isNaN(start) ? undefined : { start, end: start + 1000 }
}

type Predicate = (stored: StoredEvent) => boolean

const createdPredicate = (value: string): Predicate | undefined => {
  const second = (ms: number) => Math.floor(ms / 1000) * 1000
  const comparison = /^(>=|<=|>|<)(.+)$/.exec(value)
  if (comparison) {
    const range = instantRange(comparison[2] as string)
    if (range === undefined) return undefined
    switch (comparison[1]) {
      case ">=":
        return (s) => second(s.at) >= range.start
      case ">":
        return (s) => second(s.at) >= range.end
      case "<=":
        return (s) => second(s.at) < range.end
      default:
        return (s) => second(s.at) < range.start
    }
  }
  const [from, to] = value.split("..")
  if (to !== undefined) {
    const start = from === "*" ? { start: Number.NEGATIVE_INFINITY } : instantRange(from as string)
    const end = to === "*" ? { end: Number.POSITIVE_INFINITY } : instantRange(to)
    if (start === undefined || end === undefined) return undefined
    return (s) => second(s.at) >= start.start && second(s.at) < end.end
  }
  const range = instantRange(value)
  return range === undefined ? undefined : (s) => second(s.at) >= range.start && second(s.at) < range.end
}

const fieldIs =
  (field: string, value: string): Predicate =>
  (s) => {
    const actual = (s.event as Record<string, unknown> | null)?.[field]
    // `action:org` matches the whole category, as the audit-log search does.
    return field === "action" && !value.includes(".")
      ? typeof actual === "string" && actual.startsWith(`${value}.`)
      : actual === value
  }

/**
 * The phrase as predicates: `created` bounds all hold; other qualifiers of one key are alternatives (OR), and
 * different keys all hold (AND).
 */
const parsePhrase = (
  phrase: string,
): Either.Either<{ test: Predicate; hasCreated: boolean }, SearchError> => {
  const byKey = new Map<string, Array<Predicate>>()
  const bounds: Array<Predicate> = []
  const negated: Array<Predicate> = []
  let hasCreated = false
  for (const token of phrase.split(/\s+/).filter((t) => t !== "")) {
    const negate = token.startsWith("-")
    const colon = token.indexOf(":")
    if (colon < 0) continue
    const key = token.slice(negate ? 1 : 0, colon)
    const value = token.slice(colon + 1).replace(/^"(.*)"$/, "$1")
    let predicate: Predicate | undefined
    if (key === "created") {
      predicate = createdPredicate(value)
      if (predicate === undefined) return Either.left(validationFailed("phrase", `invalid created: ${value}`))
      hasCreated = true
    } else if (key === "action" || key === "actor" || key === "user" || key === "repo") {
      predicate = fieldIs(key, value)
    } else {
      continue
    }
    if (negate) negated.push(predicate)
    else if (key === "created") bounds.push(predicate)
    else byKey.set(key, [...(byKey.get(key) ?? []), predicate])
  }
  const groups = [...byKey.values()]
  return Either.right({
    hasCreated,
    test: (s) =>
      bounds.every((p) => p(s)) &&
      groups.every((group) => group.some((p) => p(s))) &&
      !negated.some((p) => p(s)),
  })
}

const compare = (a: { at: number; key: string }, b: { at: number; key: string }) =>
  a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)

export const searchAuditLog = (
  store: ReadonlyArray<StoredEvent>,
  params: URLSearchParams,
  now: number,
): Either.Either<SearchPage, SearchError> =>
  Either.gen(function* () {
    const order = params.get("order") || "desc"
    if (order !== "asc" && order !== "desc") return yield* Either.left(validationFailed("order", order))
    const include = params.get("include") || "web"
    if (!["web", "git", "all"].includes(include))
      return yield* Either.left(validationFailed("include", include))
    const perPageText = params.get("per_page") || "30"
    if (!/^\d+$/.test(perPageText)) return yield* Either.left(validationFailed("per_page", perPageText))
    const perPage = Math.min(100, Math.max(1, Number(perPageText)))
    const phrase = yield* parsePhrase(params.get("phrase") ?? "")
    const afterText = params.get("after")
    const beforeText = params.get("before")
    const after = afterText ? decodeCursor(afterText) : undefined
    const before = beforeText ? decodeCursor(beforeText) : undefined
    if ((afterText && !after) || (beforeText && !before)) {
      return yield* Either.left(validationFailed(afterText ? "after" : "before", "invalid cursor"))
    }

    // This simulator records web events only: `include=git` finds none.
    const direction = order === "asc" ? 1 : -1
    const matching = (include === "git" ? [] : store)
      .filter((s) => phrase.hasCreated || s.at >= now - THREE_MONTHS_MS)
      .filter(phrase.test)
      .sort((a, b) => direction * compare(a, b))
    // Position in the chosen order of the first event past `after` / the last before `before`.
    const inOrder = (s: StoredEvent, cursor: { at: number; key: string }) => direction * compare(s, cursor)
    let from = 0
    let to = matching.length
    if (after) from = matching.findIndex((s) => inOrder(s, after) > 0)
    if (from < 0) from = matching.length
    if (before) {
      const firstNotBefore = matching.findIndex((s) => inOrder(s, before) >= 0)
      to = firstNotBefore < 0 ? matching.length : firstNotBefore
      from = Math.max(from, to - perPage)
    }
    const page = matching.slice(from, Math.min(to, from + perPage))
    const last = page.at(-1)
    const first = page[0]
    return {
      events: page.map((s) => s.event),
      ...(last !== undefined && from + page.length < matching.length
        ? { after: encodeCursor(last.at, last.key) }
        : {}),
      ...(first !== undefined && from > 0 ? { before: encodeCursor(first.at, first.key) } : {}),
    }
  })
