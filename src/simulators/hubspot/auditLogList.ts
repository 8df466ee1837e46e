// What `GET /account-info/v3/activity/audit-logs` answers over the portal's audit log. Documented: `limit`,
// `after` (opaque), `actingUserId` (int32, repeatable), `occurredAfter`/`occurredBefore` (date-times), `sort`
// (`occurredAt`; oldest first by default); pages are `{results, paging?: {next: {after, link}}}`. Chosen here where
// HubSpot does not say: both time bounds exclusive (the stricter reading, so an adapter that counts on
// inclusive bounds loses records here), at most 100 a page (default 20), `after` a keyset position, and any
// `sort` but `occurredAt` refused with HubSpot's VALIDATION_ERROR shape.

import { randomUUID } from "node:crypto"
import type { ListAnswer, StoredRecord } from "./activityList.ts"

const MAX_LIMIT = 100
const INTEGER = /^-?\d{1,10}$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/

const invalid = (message: string): ListAnswer => ({
  status: 400,
  body: { status: "error", message, correlationId: randomUUID(), category: "VALIDATION_ERROR" },
})

const encodeAfter = (stored: StoredRecord) => Buffer.from(`${stored.at}:${stored.seq}`).toString("base64url")
const decodeAfter = (text: string): { at: number; seq: number } | undefined => {
  const match = /^(\d+):(\d+)$/.exec(Buffer.from(text, "base64url").toString("utf8"))
  return match ? { at: Number(match[1]), seq: Number(match[2]) } : undefined
}

/** Oldest first; ties by filing order. */
const oldestFirst = (a: { at: number; seq: number }, b: { at: number; seq: number }) =>
  a.at - b.at || a.seq - b.seq

export const listAuditLog = (store: ReadonlyArray<StoredRecord>, url: URL, origin: string): ListAnswer => {
  const params = url.searchParams
  const limitText = params.get("limit") ?? "20"
  const limit = Number(limitText)
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > MAX_LIMIT)
    return invalid(`limit must be between 1 and ${MAX_LIMIT}`)
  const actors = params.getAll("actingUserId")
  const badActor = actors.find((actor) => !INTEGER.test(actor))
  if (badActor !== undefined) return invalid(`Unable to parse actingUserId: ${badActor}`)
  const bounds: Record<"occurredAfter" | "occurredBefore", number | undefined> = {
    occurredAfter: undefined,
    occurredBefore: undefined,
  }
  for (const name of ["occurredAfter", "occurredBefore"] as const) {
    const text = params.get(name)
    if (text === null) continue
    const at = Date.parse(text)
    if (!DATE_TIME.test(text) || Number.isNaN(at)) return invalid(`Unable to parse ${name}: ${text}`)
    bounds[name] = at
  }
  const sorts = params.getAll("sort")
  if (sorts.some((sort) => sort !== "occurredAt")) return invalid(`Unsupported sort: ${sorts.join(",")}`)
  const afterText = params.get("after")
  const after = afterText === null ? undefined : decodeAfter(afterText)
  if (afterText !== null && after === undefined) return invalid("after is not a paging cursor of this list")

  const actingUser = (stored: StoredRecord) =>
    String((stored.record.actingUser as { userId?: unknown } | undefined)?.userId)
  const matching = store
    .filter(
      (stored) =>
        (actors.length === 0 || actors.includes(actingUser(stored))) &&
        (bounds.occurredAfter === undefined || stored.at > bounds.occurredAfter) &&
        (bounds.occurredBefore === undefined || stored.at < bounds.occurredBefore) &&
        (after === undefined || oldestFirst(after, stored) < 0),
    )
    .sort(oldestFirst)
  const rows = matching.slice(0, limit)
  const last = rows.at(-1)
  const nextAfter = matching.length > limit && last !== undefined ? encodeAfter(last) : undefined
  const link = (token: string) => {
    const next = new URL(url.pathname, origin)
    next.search = params.toString()
    next.searchParams.set("after", token)
    return next.href
  }
  return {
    status: 200,
    records: rows.length,
    body: {
      results: rows.map((stored) => stored.record),
      ...(nextAfter === undefined ? {} : { paging: { next: { after: nextAfter, link: link(nextAfter) } } }),
    },
  }
}
