import type { AsanaErrors } from "../../providers/asana/AsanaAuditLogEvent.ts"

// What `GET /api/1.0/workspaces/{gid}/audit_log_events` answers over the events the simulated domain holds.
// No HTTP here. Documented (OAS, reference): `start_at` inclusive, `end_at` exclusive, `event_type`,
// `actor_type` (not with `actor_gid`), `actor_gid`, `resource_gid`, `limit` 1–100, `offset` from
// `next_page.offset` sent with the same filters; oldest first; `next_page` null only when nothing in the domain
// matches; once an offset was handed out, `next_page` keeps coming on empty pages, and asking later with it
// returns what was captured since; offsets expire. Chosen here: offsets are opaque base64url JSON holding the
// last capture position, bound to the filters and to a generation (`expireOffsets` bumps it); pages follow
// capture order (in which the history is also in creation order); `limit` defaults to 100; the error texts.

export interface StoredEvent {
  /** Capture order: the offset pages by it. */
  readonly seq: number
  /** Epoch ms of `created_at`, or NaN for a record whose time cannot be read. */
  readonly at: number
  readonly record: Record<string, unknown>
}

export interface QueryAnswer {
  readonly status: number
  readonly body: unknown
  /** Events on the page, for a 200. */
  readonly events?: number
}

const HELP =
  "For more information on API status codes and how to handle them, read the docs on errors: https://developers.asana.com/docs/errors"

export const asanaErrors = (message: string): AsanaErrors => ({ errors: [{ message, help: HELP }] })

const badRequest = (message: string): QueryAnswer => ({ status: 400, body: asanaErrors(message) })

const FILTERS = ["start_at", "end_at", "event_type", "actor_type", "actor_gid", "resource_gid"] as const

interface Offset {
  readonly seq: number
  /** The filters it was issued for, as sent. */
  readonly f: string
  readonly gen: number
}

const filterKey = (params: URLSearchParams) =>
  JSON.stringify(FILTERS.map((name) => [name, params.get(name) ?? ""]))

const encode = (offset: Offset) => Buffer.from(JSON.stringify(offset)).toString("base64url")
const decode = (text: string): Offset | undefined => {
  try {
    const offset = JSON.parse(Buffer.from(text, "base64url").toString("utf8")) as Offset
    return typeof offset.seq === "number" && typeof offset.f === "string" ? offset : undefined
  } catch {
    return undefined
  }
}

const timeParam = (params: URLSearchParams, name: string): number | undefined | "invalid" => {
  const text = params.get(name)
  if (text === null || text === "") return undefined
  const ms = /^\d{4}-\d{2}-\d{2}(T[\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text) ? Date.parse(text) : Number.NaN
  return Number.isNaN(ms) ? "invalid" : ms
}

const field = (record: Record<string, unknown>, object: string, name: string): unknown =>
  (record[object] as Record<string, unknown> | null | undefined)?.[name]

/** One page of the audit log for `params`, on a domain whose workspace path is `path`. */
export const queryAuditLog = (
  store: ReadonlyArray<StoredEvent>,
  params: URLSearchParams,
  generation: number,
  link: { readonly origin: string; readonly workspaceGid: string },
  /** False: `next_page` is null once no more events match, as Asana's pagination guide has it for any endpoint. */
  nextPageWhenDone = true,
): QueryAnswer => {
  const limitText = params.get("limit")
  const limit = limitText === null || limitText === "" ? 100 : Number(limitText)
  if (!/^\d+$/.test(limitText ?? "100") || limit < 1 || limit > 100) {
    return badRequest("limit: The value must be between 1 and 100.")
  }
  const startAt = timeParam(params, "start_at")
  const endAt = timeParam(params, "end_at")
  if (startAt === "invalid") return badRequest("start_at: Invalid date-time value.")
  if (endAt === "invalid") return badRequest("end_at: Invalid date-time value.")
  const actorGid = params.get("actor_gid")
  const actorType = params.get("actor_type")
  if (actorGid && actorType) return badRequest("actor_type: Must not be provided together with actor_gid.")
  const eventType = params.get("event_type")
  const resourceGid = params.get("resource_gid")

  const key = filterKey(params)
  const offsetText = params.get("offset")
  let after = 0
  if (offsetText) {
    const offset = decode(offsetText)
    if (offset === undefined || offset.gen !== generation || offset.f !== key) {
      return badRequest("offset: Your pagination token is invalid or has expired. Please restart pagination.")
    }
    after = offset.seq
  }

  const matches = (stored: StoredEvent) => {
    const { record, at } = stored
    if (startAt !== undefined && !(at >= startAt)) return false
    if (endAt !== undefined && !(at < endAt)) return false
    if (eventType && record.event_type !== eventType) return false
    if (actorGid && field(record, "actor", "gid") !== actorGid) return false
    if (actorType && field(record, "actor", "actor_type") !== actorType) return false
    if (resourceGid && field(record, "resource", "gid") !== resourceGid) return false
    return true
  }
  const matching = store.filter(matches)
  const remaining = matching.filter((stored) => stored.seq > after)
  const page = remaining.slice(0, limit)
  const last = page.at(-1)?.seq ?? after
  const nextOffset = encode({ seq: last, f: key, gen: generation })
  const nextQuery = new URLSearchParams([...params].filter(([name]) => name !== "offset"))
  nextQuery.set("limit", String(limit))
  nextQuery.set("offset", nextOffset)
  const path = `/workspaces/${link.workspaceGid}/audit_log_events?${nextQuery}`
  // null only when nothing in the domain matches and no offset was handed out for these filters.
  const nextPage =
    (matching.length === 0 && !offsetText) || (!nextPageWhenDone && remaining.length <= limit)
      ? null
      : { offset: nextOffset, path, uri: `${link.origin}/api/1.0${path}` }
  return {
    status: 200,
    body: { data: page.map((stored) => stored.record), next_page: nextPage },
    events: page.length,
  }
}
