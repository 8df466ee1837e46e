import { createHash } from "node:crypto"

// Confluence audit records carry no id. The id is the lowercase hex SHA-256 of the record's canonical JSON:
// object keys sorted at every depth, no whitespace, UTF-8, non-ASCII unescaped (JSON.stringify's own form).
// Field order therefore never matters; two byte-identical records of one millisecond become one activity,
// which is accepted, since nothing tells them apart. A field Confluence adds later changes the ids of records
// read again afterwards; only the watermark's boundary instant is re-read, so that is at most a few records.

/** JSON text with object keys sorted recursively. */
export const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, field]) => field !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    return `{${entries.map(([key, field]) => `${JSON.stringify(key)}:${canonicalJson(field)}`).join(",")}}`
  }
  return JSON.stringify(value) ?? "null"
}

export const auditRecordId = (record: unknown): string =>
  createHash("sha256").update(canonicalJson(record), "utf8").digest("hex")
