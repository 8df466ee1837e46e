import { Either } from "effect"

// What `GET /api/v2/audit_logs` answers over the account's records. Documented: cursor pagination when
// `page[size]` is sent (≤ 100; `meta.has_more`, `meta.after_cursor`/`before_cursor`, `links.next`/`prev`,
// `sort` = `created_at` or `-created_at`, the default), offset pagination otherwise (`page`, `per_page`,
// `sort_by`, `sort_order`, `next_page`/`previous_page`/`count`); filters `filter[source_type]`,
// `filter[source_id]` (only with source_type), `filter[actor_id]`, `filter[ip_address]`, `filter[action]`, and
// `filter[created_at]` given twice (start, end). Chosen here: both ends of the range inclusive, ties in time
// ordered by id, cursors are keyset positions (records added later after the cursor appear), and the wording
// of 400s (Zendesk's bodies for bad audit-log parameters are not documented; the shape `{error, description}` is).

/** A record as the account keeps it, filed at `at` (ms). */
export interface StoredRecord {
  readonly seq: number
  readonly at: number
  readonly record: Readonly<Record<string, unknown>>
}

export interface ListAnswer {
  readonly status: number
  readonly body: unknown
  readonly records?: number
}

interface Cursor {
  readonly at: number
  readonly key: number
  readonly sort: "asc" | "desc"
}

const invalid = (error: string, description: string): ListAnswer => ({
  status: 400,
  body: { error, description },
})

const encodeCursor = (cursor: Cursor) => Buffer.from(JSON.stringify(cursor)).toString("base64url")
const decodeCursor = (text: string): Cursor | undefined => {
  try {
    const cursor = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Cursor
    return typeof cursor.at === "number" && typeof cursor.key === "number" ? cursor : undefined
  } catch {
    return undefined
  }
}

/** Ties in time go by id (by filing order for a record without one). */
const keyOf = (stored: StoredRecord) => (typeof stored.record.id === "number" ? stored.record.id : stored.seq)

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/
const INTEGER = /^\d{1,19}$/

type Filter = (stored: StoredRecord) => boolean

const filtersOf = (params: URLSearchParams): Either.Either<ReadonlyArray<Filter>, ListAnswer> => {
  const filters: Array<Filter> = []
  const range = params.getAll("filter[created_at][]")
  if (params.has("filter[created_at]") || (range.length > 0 && range.length !== 2)) {
    return Either.left(
      invalid(
        "InvalidValue",
        "filter[created_at] must be given twice, as filter[created_at][]: the start, then the end",
      ),
    )
  }
  if (range.length === 2) {
    const [start, end] = range.map((value) => (INSTANT.test(value) ? Date.parse(value) : Number.NaN)) as [
      number,
      number,
    ]
    if (Number.isNaN(start) || Number.isNaN(end)) {
      return Either.left(invalid("InvalidValue", "filter[created_at] values must be ISO 8601 times"))
    }
    filters.push((stored) => stored.at >= start && stored.at <= end)
  }
  for (const name of ["actor_id", "source_id"] as const) {
    const value = params.get(`filter[${name}]`)
    if (value === null) continue
    if (!INTEGER.test(value))
      return Either.left(invalid("InvalidValue", `filter[${name}] must be an integer`))
    filters.push((stored) => String(stored.record[name]) === value)
  }
  if (params.has("filter[source_id]") && !params.has("filter[source_type]")) {
    return Either.left(invalid("InvalidValue", "filter[source_id] requires filter[source_type]"))
  }
  for (const name of ["source_type", "ip_address", "action"] as const) {
    const value = params.get(`filter[${name}]`)
    if (value !== null) filters.push((stored) => stored.record[name] === value)
  }
  return Either.right(filters)
}

export const listAuditLogs = (store: ReadonlyArray<StoredRecord>, url: URL, origin: string): ListAnswer => {
  const params = url.searchParams
  const filters = filtersOf(params)
  if (Either.isLeft(filters)) return filters.left
  const matching = store.filter((stored) => filters.right.every((filter) => filter(stored)))
  const ascending = (a: StoredRecord, b: StoredRecord) => a.at - b.at || keyOf(a) - keyOf(b)

  const sizeText = params.get("page[size]")
  if (sizeText === null) {
    // Offset pagination.
    const perPage = Number(params.get("per_page") ?? 100)
    const page = Number(params.get("page") ?? 1)
    if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100 || !Number.isInteger(page) || page < 1) {
      return invalid("InvalidPaginationParameter", "page must be 1 or more and per_page between 1 and 100")
    }
    const descending = (params.get("sort_order") ?? "desc") === "desc"
    const sorted = [...matching].sort((a, b) => (descending ? ascending(b, a) : ascending(a, b)))
    const rows = sorted.slice((page - 1) * perPage, page * perPage)
    const link = (n: number) => {
      const next = new URL(`${origin}/api/v2/audit_logs.json`)
      next.search = params.toString()
      next.searchParams.set("page", String(n))
      return next.href
    }
    return {
      status: 200,
      records: rows.length,
      body: {
        audit_logs: rows.map((stored) => stored.record),
        next_page: page * perPage < sorted.length ? link(page + 1) : null,
        previous_page: page > 1 ? link(page - 1) : null,
        count: sorted.length,
      },
    }
  }

  const size = Number(sizeText)
  if (!/^\d+$/.test(sizeText) || size < 1 || size > 100) {
    return invalid("InvalidPaginationParameter", "page[size] must be an integer between 1 and 100")
  }
  const sortParam = params.get("sort") ?? "-created_at"
  if (sortParam !== "created_at" && sortParam !== "-created_at") {
    return invalid("InvalidPaginationParameter", "sort must be created_at or -created_at")
  }
  const sort = sortParam === "created_at" ? "asc" : "desc"
  const inOrder = (a: StoredRecord, b: StoredRecord) => (sort === "asc" ? ascending(a, b) : ascending(b, a))
  const sorted = [...matching].sort(inOrder)
  const afterText = params.get("page[after]")
  const beforeText = params.get("page[before]")
  const cursorText = afterText ?? beforeText
  const cursor = cursorText === null ? undefined : decodeCursor(cursorText)
  if (cursorText !== null && (cursor === undefined || cursor.sort !== sort)) {
    return invalid("InvalidPaginationParameter", "page[after] or page[before] is not a cursor of this list")
  }
  /** Where a record lies against the cursor, in the list's order: negative before it, positive after. */
  const position = (stored: StoredRecord) => {
    const difference = stored.at - (cursor?.at ?? 0) || keyOf(stored) - (cursor?.key ?? 0)
    return sort === "asc" ? difference : -difference
  }
  let rows: ReadonlyArray<StoredRecord>
  let more: boolean
  if (cursor !== undefined && beforeText !== null) {
    const earlier = sorted.filter((stored) => position(stored) < 0)
    rows = earlier.slice(-size)
    more = earlier.length > size
  } else {
    const later = cursor === undefined ? sorted : sorted.filter((stored) => position(stored) > 0)
    rows = later.slice(0, size)
    more = later.length > size
  }
  const cursorOf = (stored: StoredRecord | undefined) =>
    stored === undefined ? null : encodeCursor({ at: stored.at, key: keyOf(stored), sort })
  const after = cursorOf(rows.at(-1))
  const before = cursorOf(rows[0])
  const link = (name: "page[after]" | "page[before]", value: string) => {
    const next = new URL(`${origin}/api/v2/audit_logs.json`)
    next.search = params.toString()
    next.searchParams.delete("page[after]")
    next.searchParams.delete("page[before]")
    next.searchParams.set(name, value)
    return next.href
  }
  return {
    status: 200,
    records: rows.length,
    body: {
      audit_logs: rows.map((stored) => stored.record),
      meta: { has_more: more, after_cursor: after, before_cursor: before },
      links: {
        next: more && after !== null ? link("page[after]", after) : null,
        prev: before !== null && cursor !== undefined ? link("page[before]", before) : null,
      },
    },
  }
}
