import { stringify } from "safe-stable-stringify"

/**
 * JSON text with object keys sorted at every depth (by UTF-16 code units), no whitespace, strings escaped as
 * JSON.stringify escapes them, undefined fields left out: what the synthetic ids of records without one
 * (BrowserStack, Confluence, Dropbox, GitHub) are digests of. safe-stable-stringify writes exactly that for any
 * value JSON.parse makes, in under half the time of the recursive sort-and-join each provider had.
 */
export const canonicalJson = (value: unknown): string => stringify(value) ?? "null"
