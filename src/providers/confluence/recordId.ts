import { canonicalDigest, canonicalJson } from "../canonicalJson.ts"

// Confluence audit records carry no id. The id is the lowercase hex SHA-256 of the record's canonical JSON:
// object keys sorted at every depth, no whitespace, UTF-8, non-ASCII unescaped (JSON.stringify's own form).
// Field order therefore never matters; two byte-identical records of one millisecond become one activity,
// which is accepted, since nothing tells them apart. A field Confluence adds later changes the ids of records
// read again afterwards; only the watermark's boundary instant is re-read, so that is at most a few records.

export { canonicalJson }

export const auditRecordId = (record: unknown): string => canonicalDigest(record)
