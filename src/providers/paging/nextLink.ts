type HeaderValue = string | ReadonlyArray<string> | undefined

/**
 * The `rel="next"` target of a response's Link header(s) (RFC 8288), or undefined. Okta sends `self` and
 * `next` as separate `link` headers; proxies may fold them into one comma-separated header: both are read.
 */
export const nextLink = (link: HeaderValue): string | undefined => {
  const text = Array.isArray(link) ? link.join(", ") : ((link as string | undefined) ?? "")
  // Each entry is `<uri>` followed by its `; param` list up to the next `<`; a URI cannot contain `<` or `>`.
  for (const [, uri, params] of text.matchAll(/<([^<>]*)>([^<]*)/g)) {
    const rel = /;\s*rel\s*=\s*(?:"([^"]*)"|([^\s;,]+))/i.exec(params ?? "")
    const relations = (rel?.[1] ?? rel?.[2] ?? "").toLowerCase().split(/\s+/)
    if (relations.includes("next")) return uri
  }
  return undefined
}
