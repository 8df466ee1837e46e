// What `GET /account-info/v3/activity/login` and `/security` answer over the portal's records. Documented:
// `limit` (≤ 200), `after` (opaque), `userId` (int32), and on security `fromTimestamp`/`toTimestamp` (int64);
// pages are `{results, paging?: {next: {after, link}}}`, `paging` absent on the last page. Chosen here where
// HubSpot does not say: newest first (the order is undocumented, and the adapter must not rely on it), the
// timestamps in epoch ms and inclusive, `after` a keyset position (records added later never shift a read in
// progress), default limit 20, and the wording of 400s (HubSpot's VALIDATION_ERROR shape is documented).

import { randomUUID } from "node:crypto"

/** A record as the portal keeps it, filed at `at` (ms). */
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

interface Position {
  readonly at: number
  readonly seq: number
}

const invalid = (message: string): ListAnswer => ({
  status: 400,
  body: { status: "error", message, correlationId: randomUUID(), category: "VALIDATION_ERROR" },
})

const encodeAfter = (position: Position) => Buffer.from(`${position.at}:${position.seq}`).toString("base64")
const decodeAfter = (text: string): Position | undefined => {
  const match = /^(\d+):(\d+)$/.exec(Buffer.from(text, "base64").toString("utf8"))
  return match ? { at: Number(match[1]), seq: Number(match[2]) } : undefined
}

const INTEGER = /^-?\d{1,19}$/

/** Newest first; ties by filing order, newest filed first. */
const newestFirst = (a: StoredRecord, b: StoredRecord) => b.at - a.at || b.seq - a.seq

export const listActivity = (
  store: ReadonlyArray<StoredRecord>,
  url: URL,
  origin: string,
  timeFiltered: boolean,
): ListAnswer => {
  const params = url.searchParams
  const limitText = params.get("limit") ?? "20"
  const limit = Number(limitText)
  if (!/^\d+$/.test(limitText) || limit < 1 || limit > 200) return invalid("limit must be between 1 and 200")
  const userId = params.get("userId")
  if (userId !== null && !INTEGER.test(userId)) return invalid(`Unable to parse userId: ${userId}`)
  const from = timeFiltered ? params.get("fromTimestamp") : null
  const to = timeFiltered ? params.get("toTimestamp") : null
  for (const [name, value] of [
    ["fromTimestamp", from],
    ["toTimestamp", to],
  ] as const) {
    if (value !== null && !INTEGER.test(value)) return invalid(`Unable to parse ${name}: ${value}`)
  }
  const afterText = params.get("after")
  const after = afterText === null ? undefined : decodeAfter(afterText)
  if (afterText !== null && after === undefined) return invalid("after is not a paging cursor of this list")

  const matching = store
    .filter(
      (stored) =>
        (userId === null || String(stored.record.userId) === userId) &&
        (from === null || stored.at >= Number(from)) &&
        (to === null || stored.at <= Number(to)) &&
        (after === undefined || newestFirst({ ...after, record: {} }, stored) < 0),
    )
    .sort(newestFirst)
  const rows = matching.slice(0, limit)
  const last = rows.at(-1)
  const more = matching.length > limit && last !== undefined
  const nextAfter = more ? encodeAfter({ at: last.at, seq: last.seq }) : undefined
  const link = () => {
    const next = new URL(url.pathname, origin)
    next.search = params.toString()
    next.searchParams.set("after", nextAfter ?? "")
    return next.href
  }
  return {
    status: 200,
    records: rows.length,
    body: {
      results: rows.map((stored) => stored.record),
      ...(more ? { paging: { next: { after: nextAfter, link: link() } } } : {}),
    },
  }
}
