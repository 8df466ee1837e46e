import { canonicalDigest, canonicalJson } from "../canonicalJson.ts"

// Whether BrowserStack's audit entries carry an id is unconfirmed. Where one has none, its id is the
// lowercase hex SHA-256 of the record's canonical JSON: object keys sorted at every depth, no whitespace,
// UTF-8. Two byte-identical entries of one instant become one activity, which is accepted: nothing tells
// them apart.

export { canonicalJson }

export const syntheticId = (record: unknown): string => canonicalDigest(record)
