import { createHash } from "node:crypto"

// Whether BrowserStack's audit entries carry an id is unconfirmed. Where one has none, its id is the
// lowercase hex SHA-256 of the record's canonical JSON: object keys sorted at every depth, no whitespace,
// UTF-8. Two byte-identical entries of one instant become one activity, which is accepted: nothing tells
// them apart.

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

export const syntheticId = (record: unknown): string =>
  createHash("sha256").update(canonicalJson(record), "utf8").digest("hex")
