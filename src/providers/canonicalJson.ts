import { createHash } from "node:crypto"

// Hand-written rather than a stable-stringify library: the ids below are already published (Kafka keys,
// dedupe state), so the text they hash must stay byte for byte what it is, edge cases included (a top-level
// undefined is "null", an object's toJSON is not consulted).

/** JSON text with object keys sorted at every depth (UTF-16 order), no whitespace, undefined fields dropped. */
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

/**
 * The id of a record that carries none: the lowercase hex SHA-256 of its canonical JSON (UTF-8), so the same
 * record gets the same id whatever order its keys came in.
 */
export const canonicalJsonId = (record: unknown): string =>
  createHash("sha256").update(canonicalJson(record), "utf8").digest("hex")
