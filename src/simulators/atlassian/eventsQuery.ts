import { Either } from "effect"
import type { AtlassianErrors } from "../../providers/atlassian/AtlassianEvent.ts"

// What `/events-stream` and `/events` answer over the events the simulated org holds. No HTTP here.
// Confirmed (reference, "Poll events" guide, jira.js models): stream `from`/`to` in epoch ms on event time,
// `limit` default 200, `sortOrder` asc (default) or desc by processing time and kept in the cursor, a cursor
// returned even on the last page that later yields newly processed events, `processedAt` on stream events
// only; `/events` newest first by event time with `action`, `actor`, `from`, `to`, `meta.next` null at the
// end; `ADMIN-400-1` for a bad cursor, `ADMIN-400-3` for a bad time. Chosen here: cursors are opaque base64url
// JSON holding the last processing position; `limit` above 1000 is capped (no maximum is documented); `/events`
// pages default to 25 (the reference example's `page_size`).

export interface StoredEvent {
  /** Processing order: the stream pages by it. */
  readonly seq: number
  readonly time: number
  readonly processedAt: number
  readonly event: Record<string, unknown>
}

export interface QueryPage {
  readonly events: ReadonlyArray<unknown>
  /** `meta.next`; null where `/events` has no more. */
  readonly next: string | null
  readonly pageSize: number
}

export type QueryError = { readonly status: 400; readonly body: AtlassianErrors }

const badRequest = (code: string | undefined, title: string, detail?: string): QueryError => ({
  status: 400,
  body: { errors: [{ status: "400", ...(code ? { code } : {}), title, ...(detail ? { detail } : {}) }] },
})
const invalidCursor = badRequest("ADMIN-400-1", "Invalid page cursor")
const invalidTime = (name: string) =>
  badRequest("ADMIN-400-3", "Invalid time date", `${name} must be epoch milliseconds`)

interface StreamCursor {
  readonly k: "stream"
  readonly order: "asc" | "desc"
  /** The last processing position handed out. */
  readonly seq: number
  readonly from?: number
  readonly to?: number
  /** Cursors of an older generation are refused (the simulator's way to expire them). */
  readonly gen: number
}
interface QueryCursor {
  readonly k: "query"
  readonly offset: number
  /** The newest processing position the first page saw: later events do not shift the pages. */
  readonly seq: number
  readonly params: Readonly<Record<string, string>>
  readonly gen: number
}

const encode = (cursor: StreamCursor | QueryCursor) =>
  Buffer.from(JSON.stringify(cursor)).toString("base64url")
const decode = <C extends StreamCursor | QueryCursor>(
  text: string,
  kind: C["k"],
  gen: number,
): C | undefined => {
  try {
    const cursor = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as C
    return cursor.k === kind && cursor.gen === gen ? cursor : undefined
  } catch {
    return undefined
  }
}

const epochParam = (params: URLSearchParams, name: string): Either.Either<number | undefined, QueryError> => {
  const text = params.get(name)
  if (text === null || text === "") return Either.right(undefined)
  return /^\d{1,16}$/.test(text) ? Either.right(Number(text)) : Either.left(invalidTime(name))
}

const limitParam = (params: URLSearchParams, fallback: number): Either.Either<number, QueryError> => {
  const text = params.get("limit")
  if (text === null || text === "") return Either.right(fallback)
  return /^\d+$/.test(text) && Number(text) > 0
    ? Either.right(Math.min(1000, Number(text)))
    : Either.left(badRequest(undefined, "Invalid request syntax", "limit must be a positive integer"))
}

const withinTime = (from: number | undefined, to: number | undefined) => (s: StoredEvent) =>
  (from === undefined || s.time >= from) && (to === undefined || s.time <= to)

/** One page of `/events-stream`. */
export const queryStream = (
  store: ReadonlyArray<StoredEvent>,
  params: URLSearchParams,
  generation: number,
): Either.Either<QueryPage, QueryError> =>
  Either.gen(function* () {
    const limit = yield* limitParam(params, 200)
    const cursorText = params.get("cursor")
    let cursor: StreamCursor
    if (cursorText) {
      const decoded = decode<StreamCursor>(cursorText, "stream", generation)
      if (decoded === undefined) return yield* Either.left(invalidCursor)
      cursor = decoded
    } else {
      const order = params.get("sortOrder") || "asc"
      if (order !== "asc" && order !== "desc") {
        return yield* Either.left(
          badRequest(undefined, "Invalid request syntax", "sortOrder must be asc or desc"),
        )
      }
      const from = yield* epochParam(params, "from")
      const to = yield* epochParam(params, "to")
      cursor = {
        k: "stream",
        order,
        seq: order === "asc" ? 0 : Number.MAX_SAFE_INTEGER,
        ...(from === undefined ? {} : { from }),
        ...(to === undefined ? {} : { to }),
        gen: generation,
      }
    }
    const ahead =
      cursor.order === "asc" ? (s: StoredEvent) => s.seq > cursor.seq : (s: StoredEvent) => s.seq < cursor.seq
    const page = store
      .filter(ahead)
      .filter(withinTime(cursor.from, cursor.to))
      .sort((a, b) => (cursor.order === "asc" ? a.seq - b.seq : b.seq - a.seq))
      .slice(0, limit)
    const last = page.at(-1)
    return {
      events: page.map((s) => s.event),
      // Also on the last page: asked again later, it returns what was processed since.
      next: encode({ ...cursor, seq: last?.seq ?? cursor.seq }),
      pageSize: limit,
    }
  })

/** One page of `/events`: newest first by event time, with the query filters; `meta.next` null at the end. */
export const queryEvents = (
  store: ReadonlyArray<StoredEvent>,
  params: URLSearchParams,
  generation: number,
): Either.Either<QueryPage, QueryError> =>
  Either.gen(function* () {
    const limit = yield* limitParam(params, 25)
    const cursorText = params.get("cursor")
    const cursor = cursorText ? decode<QueryCursor>(cursorText, "query", generation) : undefined
    if (cursorText && cursor === undefined) return yield* Either.left(invalidCursor)
    const query =
      cursor?.params ?? Object.fromEntries([...params].filter(([k]) => k !== "cursor" && k !== "limit"))
    const filters = new URLSearchParams(query)
    const from = yield* epochParam(filters, "from")
    const to = yield* epochParam(filters, "to")
    const action = filters.get("action")
    const actors = filters.getAll("actor")
    const seq = cursor?.seq ?? store.at(-1)?.seq ?? 0
    const matching = store
      .filter((s) => s.seq <= seq)
      .filter(withinTime(from, to))
      .filter(
        (s) => action === null || (s.event.attributes as { action?: unknown } | undefined)?.action === action,
      )
      .filter(
        (s) =>
          actors.length === 0 ||
          actors.includes(
            String((s.event.attributes as { actor?: { id?: unknown } } | undefined)?.actor?.id),
          ),
      )
      .sort((a, b) => b.time - a.time || b.seq - a.seq)
    const offset = cursor?.offset ?? 0
    const page = matching.slice(offset, offset + limit)
    const more = matching.length > offset + limit
    return {
      // `/events` carries no processing time.
      events: page.map(({ event }) => {
        const { processedAt: _processedAt, ...attributes } = event.attributes as Record<string, unknown>
        return { ...event, attributes }
      }),
      next: more ? encode({ k: "query", offset: offset + limit, seq, params: query, gen: generation }) : null,
      pageSize: limit,
    }
  })
