import { Option, Schema } from "effect"
import { stableActivityId } from "../../domain/Activity.ts"
import type { DecoderOf } from "../ProviderAdapter.ts"
import { utcInstant } from "../utcInstant.ts"
import { ZoomActivityLog } from "./ZoomActivityLog.ts"
import { ZoomOperationLog } from "./ZoomOperationLog.ts"

/** Zoom's two report streams; each names its rows' ids, so the two can never share one. */
export type ZoomStream = "activities" | "operation_logs"

// Zoom rows carry no id. The id is a SHA-256 over the stream name and the row's documented fields in a fixed
// order: stable across polls and restarts, blind to field order and to undocumented fields Zoom may add.
// The time is hashed in its normalised form, so `…:41Z` and `…:41.000Z` are one row. Two identical rows in
// the same second become one activity, which is accepted: nothing tells them apart.

const instant = (time: string) => utcInstant(time) ?? time

export const activityLogId = (row: ZoomActivityLog): string =>
  stableActivityId("zoom", [
    "activities",
    row.email,
    instant(row.time),
    row.type,
    row.ip_address ?? null,
    row.client_type ?? null,
    row.version ?? null,
  ])

export const operationLogId = (row: ZoomOperationLog): string =>
  stableActivityId("zoom", [
    "operation_logs",
    row.operator,
    instant(row.time),
    row.category_type ?? null,
    row.action,
    row.operation_detail ?? null,
  ])

/** A row's synthetic id and its time as a UTC instant: what placing it against a watermark needs. */
export interface RowKey {
  readonly id: string
  readonly time: string
}

/**
 * The id and time of a raw row, for `advance`. A row that does not decode but has a readable time still gets
 * a stable id (over its fields, sorted), so it is dead-lettered once rather than on every re-read of its day;
 * a row without a readable time has no key.
 */
const rowKey =
  <A extends { readonly time: string }>(stream: ZoomStream, schema: DecoderOf<A>, idOf: (row: A) => string) =>
  (raw: unknown): RowKey | undefined => {
    const decoded = Schema.decodeUnknownOption(schema)(raw)
    if (Option.isSome(decoded)) return { id: idOf(decoded.value), time: instant(decoded.value.time) }
    if (typeof raw !== "object" || raw === null) return undefined
    const fields = raw as Readonly<Record<string, unknown>>
    const time = typeof fields.time === "string" ? utcInstant(fields.time) : undefined
    if (time === undefined) return undefined
    return {
      id: stableActivityId("zoom", [stream, JSON.stringify(fields, Object.keys(fields).sort())]),
      time,
    }
  }

export const activityLogKey = rowKey("activities", ZoomActivityLog, activityLogId)
export const operationLogKey = rowKey("operation_logs", ZoomOperationLog, operationLogId)
