import { Schema } from "effect"
import { UtcInstant } from "../../../src/domain/Activity.ts"
import type { ActivityFilters } from "../../../src/domain/ActivityFilters.ts"

// A plain-data watermark for driving the simulator without the shared machinery (which has its own,
// readWatermarkPage): the protocol tests page and poll with it.

/**
 * Where the stream stands between polls, the shape of the contract's `Watermark`: the latest `created_at`
 * published (`since`, where the next read starts, inclusive) and the ids published at exactly that second
 * (`seen`: records share seconds). A cursor lives only within one read and is never part of the position.
 */
export const ZendeskPosition = Schema.Struct({
  since: UtcInstant,
  seen: Schema.Array(Schema.String),
}).annotations({ identifier: "ZendeskPosition" })
export type ZendeskPosition = typeof ZendeskPosition.Type

/** Where a stream starts: the `created_at` filter, else the account's whole history (Zendesk keeps it all). */
export const startPosition = (filters: ActivityFilters): ZendeskPosition => ({
  since: new Date(filters.created_at === undefined ? 0 : Date.parse(filters.created_at)).toISOString(),
  seen: [],
})

/** A record's id (as the Activity writes it) and time: what placing it against the watermark needs. */
export interface RecordKey {
  readonly id: string
  readonly time: string
}

/** The key of a raw record, read without decoding it whole, so a malformed but placeable one is dead-lettered once. */
export const auditLogKey = (raw: unknown): RecordKey | undefined => {
  if (typeof raw !== "object" || raw === null) return undefined
  const { id, created_at } = raw as { readonly id?: unknown; readonly created_at?: unknown }
  if (typeof id !== "number" || !Number.isSafeInteger(id) || typeof created_at !== "string") return undefined
  const time = /(Z|[+-]\d{2}:\d{2})$/.test(created_at) ? Date.parse(created_at) : Number.NaN
  return Number.isNaN(time) ? undefined : { id: String(id), time: new Date(time).toISOString() }
}

export interface Advanced {
  /** Records not published before, in Zendesk's order (oldest first), each once. */
  readonly fresh: ReadonlyArray<unknown>
  /** Records with no readable id or time: handed on as they are (to be dead-lettered). */
  readonly unplaced: ReadonlyArray<unknown>
  readonly position: ZendeskPosition
}

/**
 * The records of a read (its pages in order) against the position: drops records older than the watermark
 * and those at it already published, and moves the watermark. A record that becomes visible with a time before
 * the watermark is dropped (it cannot be told from one published): the settle window is what keeps late
 * records from falling behind.
 */
export const advance = (position: ZendeskPosition, records: ReadonlyArray<unknown>): Advanced => {
  const sinceMs = Date.parse(position.since)
  const published = new Set(position.seen)
  const fresh: Array<unknown> = []
  const unplaced: Array<unknown> = []
  let latestMs = sinceMs
  let atLatest = [...position.seen]
  for (const raw of records) {
    const key = auditLogKey(raw)
    if (key === undefined) {
      unplaced.push(raw)
      continue
    }
    const ms = Date.parse(key.time)
    if (ms < sinceMs || published.has(key.id)) continue
    published.add(key.id)
    fresh.push(raw)
    if (ms > latestMs) {
      latestMs = ms
      atLatest = [key.id]
    } else if (ms === latestMs) {
      atLatest.push(key.id)
    }
  }
  return { fresh, unplaced, position: { since: new Date(latestMs).toISOString(), seen: atLatest } }
}
