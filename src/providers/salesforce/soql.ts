// Values placed into SOQL. A filter value must never change the query's shape: strings go through
// `soqlString` (every character SOQL gives a meaning escaped, per Salesforce's "Quoted String Escape Sequences"),
// ids are validated before that, and instants are written by `soqlDateTime` from a number, never from text.

/** Escapes SOQL gives (docs, "Quoted String Escape Sequences"); other control characters become `\uXXXX`. */
const ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\\\",
  "'": "\\'",
  '"': '\\"',
  "\n": "\\n",
  "\r": "\\r",
  "\t": "\\t",
}

/**
 * A SOQL string literal holding exactly `value`, quotes included. `%` and `_` are left alone: they are only
 * wildcards after LIKE, which no query here uses, and `\%`/`\_` are errors outside LIKE.
 */
export const soqlString = (value: string): string =>
  `'${value.replace(
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is matched here.
    /[\\'"\n\r\t\u0000-\u001f\u007f\u2028\u2029]/g,
    (c) => ESCAPES[c] ?? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  )}'`

/**
 * A SOQL dateTime literal, unquoted, in the documented `YYYY-MM-DDThh:mm:ssZ` form. SOQL literals carry no
 * milliseconds in the documented forms, so the instant is floored to its second: a `>=` bound then reads the
 * whole second, which the watermark's ids absorb.
 */
export const soqlDateTime = (ms: number): string =>
  new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z")

const CHECKSUM_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"

/** The three characters that make a 15-character (case-sensitive) id an 18-character (case-safe) one. */
export const idChecksum = (id15: string): string => {
  // Character codes rather than a regular expression per character: isSalesforceId runs once per row decoded.
  let checksum = ""
  for (let start = 0; start < 15; start += 5) {
    let bits = 0
    for (let i = 0; i < 5; i++) {
      const code = id15.charCodeAt(start + i)
      if (code >= 65 && code <= 90) bits |= 1 << i
    }
    checksum += CHECKSUM_ALPHABET[bits]
  }
  return checksum
}

/**
 * A Salesforce record id: 15 letters and digits (case-sensitive), or 18 whose last three are the checksum
 * of the first 15. Anything else cannot name a record, so it never reaches a query.
 */
export const isSalesforceId = (value: string): boolean =>
  /^[a-zA-Z0-9]{15}$/.test(value) ||
  (/^[a-zA-Z0-9]{18}$/.test(value) && idChecksum(value.slice(0, 15)) === value.slice(15).toUpperCase())
