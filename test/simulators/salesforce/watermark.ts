import { Duration, Schema } from "effect"
import { UtcInstant } from "../../../src/domain/Activity.ts"
import { recordIdOf } from "../../../src/providers/salesforce/recordId.ts"
import { salesforceInstant } from "../../../src/providers/salesforce/salesforceTime.ts"
import {
  type SalesforceFilters,
  type SalesforceStream,
  SalesforceStreams,
} from "../../../src/providers/salesforce/tailQuery.ts"

// A plain-data watermark for driving the simulator without the shared machinery (which has its own,
// readWatermarkPage): the protocol tests page and poll with it. Where a stream stands between polls: a watermark, the shape of the contract's `Watermark` — the latest row
// time published (`since`, the next read starts there, inclusive) and the ids published at exactly that
// instant (`seen`), since rows share seconds. A query locator (`nextRecordsUrl`) lives only within one read:
// it expires when idle, so it is never part of the position.

export const SalesforcePosition = Schema.Struct({
  since: UtcInstant,
  seen: Schema.Array(Schema.String),
}).annotations({ identifier: "SalesforcePosition" })
export type SalesforcePosition = typeof SalesforcePosition.Type

/** Where a stream starts: the `created_at` filter, else as far back as Salesforce keeps the object. */
export const startPosition = (
  stream: SalesforceStream,
  filters: SalesforceFilters,
  nowMs: number,
): SalesforcePosition => ({
  since: new Date(
    filters.createdAtMs ?? nowMs - Duration.toMillis(SalesforceStreams[stream].retention),
  ).toISOString(),
  seen: [],
})

/** A row's id and time (a UTC instant): what placing it against the watermark needs. */
export interface RowKey {
  readonly id: string
  readonly time: string
}

/**
 * The key of a raw query row, read without decoding it whole: a row that will fail decoding but has an id and
 * a time is still placed, so it is dead-lettered once rather than on every re-read.
 */
export const rowKey =
  (stream: SalesforceStream) =>
  (raw: unknown): RowKey | undefined => {
    if (typeof raw !== "object" || raw === null) return undefined
    const row = raw as { readonly Id?: unknown; readonly attributes?: { readonly url?: unknown } }
    const id = recordIdOf({
      Id: typeof row.Id === "string" ? row.Id : undefined,
      ...(typeof row.attributes?.url === "string" ? { attributes: { url: row.attributes.url } } : {}),
    })
    const timeText = (raw as Readonly<Record<string, unknown>>)[SalesforceStreams[stream].timeField]
    const time = typeof timeText === "string" ? salesforceInstant(timeText) : undefined
    return id === undefined || time === undefined ? undefined : { id, time }
  }

export interface Advanced {
  /** Rows not published before, in Salesforce's order (the query's ORDER BY), each once. */
  readonly fresh: ReadonlyArray<unknown>
  /** Rows with no readable id or time: handed on as they are (to be dead-lettered). */
  readonly unplaced: ReadonlyArray<unknown>
  /** The position once `fresh` is published. */
  readonly position: SalesforcePosition
}

/**
 * The rows of a read (its batches in order) against the position: drops rows older than the watermark and
 * rows at it already published, and moves the watermark. A row that becomes visible with a time before the
 * watermark cannot be told from one already published, so it is dropped: the settle window (`SETTLE`) is what
 * keeps rows written a little late from falling behind the watermark.
 */
export const advance = (
  position: SalesforcePosition,
  records: ReadonlyArray<unknown>,
  keyOf: (raw: unknown) => RowKey | undefined,
): Advanced => {
  const sinceMs = Date.parse(position.since)
  const published = new Set(position.seen)
  const fresh: Array<unknown> = []
  const unplaced: Array<unknown> = []
  let latestMs = sinceMs
  let atLatest = [...position.seen]
  for (const raw of records) {
    const key = keyOf(raw)
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
