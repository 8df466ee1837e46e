// PromQL, read just far enough to list the metric names an expression queries.

const KEYWORDS = new Set([
  "and",
  "or",
  "unless",
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "offset",
  "bool",
  "inf",
  "nan",
])

/** The metric names a PromQL expression reads: identifiers that are not functions, keywords or label names. */
export const metricNamesIn = (expr: string): ReadonlyArray<string> => {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""') // strings (label values, regexes)
    .replace(/\{[^}]*\}/g, "") // label matchers
    .replace(/\[[^\]]*\]/g, "") // ranges, [5m] / [$__rate_interval]
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, "") // label lists
    .replace(/\$\{?\w+\}?/g, "") // dashboard variables
  return [...bare.matchAll(/[a-zA-Z_:][a-zA-Z0-9_:]*/g)]
    .filter((m) => !/^\s*\(/.test(bare.slice((m.index ?? 0) + m[0].length)))
    .map((m) => m[0])
    .filter((name, i, all) => !KEYWORDS.has(name.toLowerCase()) && all.indexOf(name) === i)
    .filter((name) => !/^\d/.test(name))
}
