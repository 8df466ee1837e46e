import { Either } from "effect"

// The subset of SCIM filter syntax (RFC 7644 §3.4.2.2) the simulator evaluates the way Okta's System Log does:
// attribute paths on LogEvent fields, eq/ne/co/sw/ew/gt/ge/lt/le/pr, `and`, `or`, `not (…)` and parentheses.
// Anything else is the 400 E0000053 Okta answers for an invalid filter.

export type EventPredicate = (event: unknown) => boolean

type Token =
  | { readonly kind: "open" | "close" }
  | { readonly kind: "string"; readonly value: string }
  | { readonly kind: "word"; readonly value: string }

const OPERATORS = ["eq", "ne", "co", "sw", "ew", "gt", "ge", "lt", "le"] as const
type Operator = (typeof OPERATORS)[number]
const isOperator = (word: string): word is Operator => (OPERATORS as ReadonlyArray<string>).includes(word)

/** Top-level LogEvent fields. `published` is refused: Okta reserves time bounds for since/until/after. */
const FIELDS = new Set([
  "uuid",
  "eventType",
  "version",
  "severity",
  "legacyEventType",
  "displayMessage",
  "actor",
  "client",
  "device",
  "outcome",
  "target",
  "transaction",
  "debugContext",
  "authenticationContext",
  "securityContext",
  "request",
])

class FilterError extends Error {}

const tokenize = (text: string): Array<Token> => {
  const tokens: Array<Token> = []
  let i = 0
  while (i < text.length) {
    const c = text[i] as string
    if (/\s/.test(c)) i++
    else if (c === "(" || c === ")") {
      tokens.push({ kind: c === "(" ? "open" : "close" })
      i++
    } else if (c === '"') {
      let value = ""
      i++
      while (i < text.length && text[i] !== '"') {
        if (text[i] === "\\") i++
        if (i >= text.length) break
        value += text[i]
        i++
      }
      if (text[i] !== '"') throw new FilterError(`Unterminated string at position ${i}`)
      tokens.push({ kind: "string", value })
      i++
    } else {
      const start = i
      while (i < text.length && !/[\s()"]/.test(text[i] as string)) i++
      tokens.push({ kind: "word", value: text.slice(start, i) })
    }
  }
  return tokens
}

/** Every value at `path`, descending into arrays (`target.id` matches any target). */
const valuesAt = (value: unknown, path: ReadonlyArray<string>): Array<unknown> => {
  if (Array.isArray(value)) return value.flatMap((item) => valuesAt(item, path))
  if (path.length === 0) return [value]
  if (value === null || typeof value !== "object") return []
  const [head, ...rest] = path
  return valuesAt((value as Record<string, unknown>)[head as string], rest)
}

/** eq/ne compare any JSON value; the others need two strings or two numbers, as SCIM orders them. */
const compare = (operator: Operator, actual: unknown, expected: unknown): boolean => {
  if (operator === "eq") return actual === expected
  if (operator === "ne") return actual !== expected
  const comparable =
    (typeof actual === "string" && typeof expected === "string") ||
    (typeof actual === "number" && typeof expected === "number")
  if (!comparable) return false
  const [a, b] = [actual as string | number, expected as string | number]
  switch (operator) {
    case "co":
      return String(a).includes(String(b))
    case "sw":
      return String(a).startsWith(String(b))
    case "ew":
      return String(a).endsWith(String(b))
    case "gt":
      return a > b
    case "ge":
      return a >= b
    case "lt":
      return a < b
    case "le":
      return a <= b
  }
}

const parse = (tokens: ReadonlyArray<Token>): EventPredicate => {
  let at = 0
  const peekWord = (word: string) => {
    const token = tokens[at]
    return token?.kind === "word" && token.value.toLowerCase() === word
  }
  const expect = (kind: "open" | "close") => {
    if (tokens[at]?.kind !== kind)
      throw new FilterError(`Expected '${kind === "open" ? "(" : ")"}' at token ${at + 1}`)
    at++
  }
  const value = (): unknown => {
    const token = tokens[at++]
    if (token?.kind === "string") return token.value
    if (token?.kind === "word") {
      if (token.value === "true" || token.value === "false") return token.value === "true"
      if (token.value === "null") return null
      if (/^-?\d+(\.\d+)?$/.test(token.value)) return Number(token.value)
    }
    throw new FilterError(`Expected a value at token ${at}`)
  }
  const comparison = (): EventPredicate => {
    const attribute = tokens[at++]
    if (attribute?.kind !== "word") throw new FilterError(`Expected an attribute at token ${at}`)
    const path = attribute.value.split(".")
    if (path.some((segment) => segment === "") || !FIELDS.has(path[0] as string)) {
      throw new FilterError(`field is not valid: ${attribute.value}`)
    }
    const operatorToken = tokens[at++]
    const operator = operatorToken?.kind === "word" ? operatorToken.value.toLowerCase() : ""
    if (operator === "pr") return (event) => valuesAt(event, path).some((v) => v !== null && v !== undefined)
    if (!isOperator(operator)) {
      throw new FilterError(
        `Unrecognized attribute operator '${operator}'. Expected: eq,co,sw,pr,gt,ge,lt,le`,
      )
    }
    const expected = value()
    return (event) => {
      const actual = valuesAt(event, path)
      // `ne` holds when no value equals; every other operator when some value matches.
      return operator === "ne"
        ? actual.every((v) => v !== expected)
        : actual.some((v) => compare(operator, v, expected))
    }
  }
  const unary = (): EventPredicate => {
    if (peekWord("not")) {
      at++
      expect("open")
      const inner = or()
      expect("close")
      return (event) => !inner(event)
    }
    if (tokens[at]?.kind === "open") {
      at++
      const inner = or()
      expect("close")
      return inner
    }
    return comparison()
  }
  const and = (): EventPredicate => {
    let left = unary()
    while (peekWord("and")) {
      at++
      const [l, r] = [left, unary()]
      left = (event) => l(event) && r(event)
    }
    return left
  }
  const or = (): EventPredicate => {
    let left = and()
    while (peekWord("or")) {
      at++
      const [l, r] = [left, and()]
      left = (event) => l(event) || r(event)
    }
    return left
  }
  const predicate = or()
  if (at !== tokens.length) throw new FilterError(`Unexpected token at ${at + 1}`)
  return predicate
}

/** The filter as a predicate on raw events, or Okta's error summary for it. */
export const scimFilter = (text: string): Either.Either<EventPredicate, string> => {
  try {
    return Either.right(parse(tokenize(text)))
  } catch (error) {
    if (!(error instanceof FilterError)) throw error
    return Either.left(
      error.message.startsWith("field is not valid")
        ? error.message
        : `Invalid filter '${text}': ${error.message}`,
    )
  }
}
