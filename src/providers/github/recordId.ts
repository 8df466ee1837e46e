import { Option, Schema } from "effect"
import { canonicalDigest, canonicalJson } from "../canonicalJson.ts"
import { eventTimeMs, GitHubAuditLogEvent, isUsableTimeMs } from "./GitHubAuditLogEvent.ts"

// An audit event's id is GitHub's `_document_id`. Some events (older exports, and every row in Elastic's
// recorded org fixtures) have none: they get a synthetic id, the lowercase hex SHA-256 of the canonical JSON
// of the whole event (keys sorted at every depth, no whitespace, UTF-8), so the same event always gets the same
// id whatever order its keys came in.

export { canonicalJson }

export const syntheticEventId = (event: unknown): string => canonicalDigest(event)

/** `_document_id` when GitHub gave one, else the synthetic id. */
export const auditEventId = (event: { readonly _document_id?: string | null | undefined }): string =>
  event._document_id ? event._document_id : syntheticEventId(event)

/** What placing an event against a watermark needs: its id and occurrence time (epoch ms). */
export interface AuditEventKey {
  readonly id: string
  readonly ms: number
}

/**
 * The key of a raw event as the page delivered it. An event that does not decode but has a readable time still
 * gets its synthetic id, so it is handed on (to be dead-lettered) once rather than on every re-read; an event
 * with no readable time has no key.
 */
export const auditEventKey = (raw: unknown): AuditEventKey | undefined => {
  const decoded = Schema.decodeUnknownOption(GitHubAuditLogEvent)(raw)
  if (Option.isSome(decoded)) {
    const ms = eventTimeMs(decoded.value)
    return ms === undefined ? undefined : { id: auditEventId(decoded.value), ms }
  }
  if (typeof raw !== "object" || raw === null) return undefined
  const fields = raw as { readonly "@timestamp"?: unknown; readonly created_at?: unknown }
  const time = typeof fields["@timestamp"] === "number" ? fields["@timestamp"] : fields.created_at
  if (!isUsableTimeMs(time)) return undefined
  const documentId = (raw as { readonly _document_id?: unknown })._document_id
  return { id: typeof documentId === "string" && documentId ? documentId : syntheticEventId(raw), ms: time }
}
