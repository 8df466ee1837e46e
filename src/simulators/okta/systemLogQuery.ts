import { Either } from "effect"
import type { OktaError } from "../../providers/okta/OktaLogEvent.ts"
import { oktaErrorBody } from "./oktaErrorBody.ts"
import { type EventPredicate, scimFilter } from "./scimFilter.ts"

// What `GET /api/v1/logs` answers for a query over the events the simulated org holds: validation, the two
// request types Okta documents (polling and bounded), and `after` tokens. No HTTP here.

/** An event as the org stored it: `seq` is the persistence order, which polling requests page by. */
export interface StoredEvent {
  readonly seq: number
  readonly persistedAt: number
  readonly event: unknown
}

export interface LogQueryResult {
  readonly events: ReadonlyArray<unknown>
  /** Query string of the `rel="next"` link; absent at the end of a bounded query. */
  readonly next?: URLSearchParams
}

const DAY_MS = 24 * 60 * 60 * 1000
/** RFC 3339 (Okta's "Internet Date/Time Format profile of ISO 8601"). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/i

interface PollingCursor {
  readonly mode: "polling"
  readonly seq: number
  readonly since: number
}
interface BoundedCursor {
  readonly mode: "bounded"
  readonly published: number
  readonly seq: number
}
type Cursor = PollingCursor | BoundedCursor

// Opaque to clients, as Okta's are; it only has to survive the round trip through a next link.
const encodeAfter = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString("base64url")
const decodeAfter = (token: string): Cursor | undefined => {
  try {
    const cursor = JSON.parse(Buffer.from(token, "base64url").toString("utf8")) as Cursor
    return cursor.mode === "polling" || cursor.mode === "bounded" ? cursor : undefined
  } catch {
    return undefined
  }
}

const invalid = (field: string, summary: string): OktaError =>
  oktaErrorBody("E0000001", `Api validation failed: '${field}': ${summary}`, [`${field}: ${summary}`])

const dateParam = (params: URLSearchParams, name: string): Either.Either<number | undefined, OktaError> => {
  const text = params.get(name)
  if (text === null || text === "") return Either.right(undefined)
  const time = Date.parse(text)
  return RFC3339.test(text) && !Number.isNaN(time)
    ? Either.right(time)
    : Either.left(
        invalid(
          name,
          "The date format in your query is not recognized. Please enter dates using ISO8601 string format.",
        ),
      )
}

const publishedOf = (stored: StoredEvent): number => {
  const published = (stored.event as { published?: unknown } | null)?.published
  return typeof published === "string" ? Date.parse(published) : Number.NaN
}

/** `q`: every keyword must occur, case-insensitively, somewhere in the event. */
const keywordMatch = (q: string | null): Either.Either<EventPredicate, OktaError> => {
  const keywords = (q ?? "").split(/\s+/).filter((k) => k !== "")
  if (keywords.some((k) => k.length > 40)) {
    return Either.left(
      oktaErrorBody(
        "E0000001",
        "Api validation failed: 'q': Freeform search cannot contain items longer than 40 characters. Please shorten the items in your search or use an advanced filter to query by specific fields.",
      ),
    )
  }
  if (keywords.length > 10)
    return Either.left(invalid("q", "Freeform search cannot contain more than 10 items."))
  const lowered = keywords.map((k) => k.toLowerCase())
  return Either.right((event) => {
    const text = JSON.stringify(event).toLowerCase()
    return lowered.every((k) => text.includes(k))
  })
}

export const querySystemLog = (
  store: ReadonlyArray<StoredEvent>,
  params: URLSearchParams,
  now: number,
): Either.Either<LogQueryResult, OktaError> =>
  Either.gen(function* () {
    const limitText = params.get("limit") ?? "100"
    if (!/^\d+$/.test(limitText) || Number(limitText) > 1000) {
      return yield* Either.left(invalid("limit", "must be an integer between 0 and 1000."))
    }
    const limit = Number(limitText)
    const sortOrder = params.get("sortOrder") ?? "ASCENDING"
    if (sortOrder !== "ASCENDING" && sortOrder !== "DESCENDING") {
      return yield* Either.left(invalid("sortOrder", "must be ASCENDING or DESCENDING."))
    }
    const until = yield* dateParam(params, "until")
    const sinceParam = yield* dateParam(params, "since")
    if (sinceParam !== undefined && sinceParam < now - 180 * DAY_MS) {
      return yield* Either.left(
        oktaErrorBody(
          "E0000053",
          "Invalid parameter: The since parameter is over 180 days prior to the current day.",
        ),
      )
    }
    const filterText = params.get("filter")
    const filter =
      filterText === null || filterText === ""
        ? () => true
        : yield* Either.mapLeft(scimFilter(filterText), (summary) => oktaErrorBody("E0000053", summary))
    const keywords = yield* keywordMatch(params.get("q"))
    const afterText = params.get("after")
    const after = afterText === null ? undefined : decodeAfter(afterText)
    if (afterText !== null && after === undefined)
      return yield* Either.left(invalid("after", "is not a valid cursor."))
    const matches = (stored: StoredEvent) => filter(stored.event) && keywords(stored.event)
    const polling = until === undefined && sortOrder === "ASCENDING"
    if (after !== undefined && after.mode !== (polling ? "polling" : "bounded")) {
      return yield* Either.left(invalid("after", "does not belong to this query."))
    }
    // A next link repeats the query with a fresh `after`; a polling cursor carries its own lower bound.
    const nextQuery = (cursor: Cursor) => {
      const next = new URLSearchParams(params)
      if (cursor.mode === "polling") next.delete("since")
      next.delete("after")
      next.set("after", encodeAfter(cursor))
      return next
    }

    if (polling) {
      // Polling: by persistence order, so late-persisted events are never skipped; `next` is always there.
      const start: PollingCursor =
        after?.mode === "polling" ? after : { mode: "polling", seq: 0, since: sinceParam ?? now - 7 * DAY_MS }
      const page: Array<unknown> = []
      let scanned = start.seq
      for (const stored of store) {
        if (page.length >= limit) break
        if (stored.seq <= start.seq) continue
        scanned = stored.seq
        if (stored.persistedAt >= start.since && matches(stored)) page.push(stored.event)
      }
      return { events: page, next: nextQuery({ ...start, seq: scanned }) }
    }

    // Bounded: by `published` within [since, until), finite; `next` disappears at the end.
    const upper = until ?? now
    const lower = sinceParam ?? upper - 7 * DAY_MS
    const direction = sortOrder === "ASCENDING" ? 1 : -1
    const order = (a: { published: number; seq: number }, b: { published: number; seq: number }) =>
      direction * (a.published - b.published || a.seq - b.seq)
    const candidates = store
      .map((stored) => ({ stored, published: publishedOf(stored), seq: stored.seq }))
      .filter((c) => c.published >= lower && c.published < upper && matches(c.stored))
      .filter((c) => after?.mode !== "bounded" || order(c, after) > 0)
      .sort(order)
    const page = candidates.slice(0, limit)
    // Where a page of `limit=0` leaves off: where it began.
    const resume: Cursor = after ?? { mode: "bounded", published: direction > 0 ? lower - 1 : upper, seq: 0 }
    const last = page.at(-1)
    const more = candidates.length > page.length
    return {
      events: page.map((c) => c.stored.event),
      ...(more
        ? { next: nextQuery(last ? { mode: "bounded", published: last.published, seq: last.seq } : resume) }
        : {}),
    }
  })
