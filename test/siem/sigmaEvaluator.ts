import { parseAllDocuments } from "yaml"

// A small Sigma evaluator: enough of the rule and correlation specifications (SigmaHQ/sigma-specification
// v2.1.0) to run siem/sigma/*.yml over recorded connector output. Anything else a rule might use (keyword
// lists, `1 of`, regex, cidr, base64 modifiers, value_sum, …) throws instead of matching wrongly.

export type SigmaEvent = Readonly<Record<string, unknown>>

export interface DetectionRule {
  readonly title: string
  readonly id?: string
  readonly name?: string
  readonly logsource: { readonly product?: string; readonly service?: string }
  readonly detection: Readonly<Record<string, unknown>> & { readonly condition: string }
}

export interface CorrelationRule {
  readonly title: string
  readonly id?: string
  readonly name?: string
  readonly correlation: {
    readonly type: string
    readonly rules: ReadonlyArray<string>
    readonly "group-by": ReadonlyArray<string>
    readonly timespan: string
    readonly condition?: Readonly<Record<string, unknown>>
  }
}

export type SigmaRule = DetectionRule | CorrelationRule

export const isCorrelation = (rule: SigmaRule): rule is CorrelationRule => "correlation" in rule

/** Every document of a Sigma YAML file (the spec allows several, separated by `---`). */
export const parseSigmaFile = (text: string): ReadonlyArray<SigmaRule> =>
  parseAllDocuments(text).map((doc) => {
    if (doc.errors.length > 0) throw new Error(`YAML: ${doc.errors.map((e) => e.message).join("; ")}`)
    return doc.toJS() as SigmaRule
  })

/** A dotted Sigma field name read from a nested JSON record, as the sinks flatten the Activity. */
export const fieldOf = (event: unknown, path: string): unknown =>
  path
    .split(".")
    .reduce<unknown>(
      (node, key) =>
        node !== null && typeof node === "object" ? (node as Record<string, unknown>)[key] : undefined,
      event,
    )

const MODIFIERS = new Set(["contains", "startswith", "endswith", "all"])

/** Sigma's plain string matching: case-insensitive, `*` and `?` wildcards, `\` escaping them. */
const wildcard = (pattern: string): RegExp => {
  let source = ""
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string
    if (c === "\\" && i + 1 < pattern.length)
      source += (pattern[++i] as string).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
    else if (c === "*") source += ".*"
    else if (c === "?") source += "."
    else source += c.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")
  }
  return new RegExp(`^${source}$`, "is")
}

const matchOne = (actual: unknown, expected: unknown, modifier: string | undefined): boolean => {
  if (expected === null) return actual === undefined || actual === null
  if (actual === undefined || actual === null) return false
  if (Array.isArray(actual)) return actual.some((item) => matchOne(item, expected, modifier))
  if (typeof expected === "number" || typeof expected === "boolean") {
    return modifier === undefined && String(actual) === String(expected)
  }
  if (typeof expected !== "string") throw new Error(`unsupported Sigma value ${JSON.stringify(expected)}`)
  const value = String(actual)
  switch (modifier) {
    case "contains":
      return value.toLowerCase().includes(expected.toLowerCase())
    case "startswith":
      return value.toLowerCase().startsWith(expected.toLowerCase())
    case "endswith":
      return value.toLowerCase().endsWith(expected.toLowerCase())
    default:
      return wildcard(expected).test(value)
  }
}

/** One `field|modifier…: value(s)` entry: a list is OR, or AND with `|all`. */
const matchField = (event: SigmaEvent, key: string, expected: unknown): boolean => {
  const [field, ...modifiers] = key.split("|")
  for (const m of modifiers) if (!MODIFIERS.has(m)) throw new Error(`unsupported Sigma modifier |${m}`)
  const all = modifiers.includes("all")
  const modifier = modifiers.find((m) => m !== "all")
  const actual = fieldOf(event, field as string)
  const values = Array.isArray(expected) ? expected : [expected]
  return all
    ? values.every((v) => matchOne(actual, v, modifier))
    : values.some((v) => matchOne(actual, v, modifier))
}

/** A search identifier: a map is AND of its entries; a list of maps is OR of them. */
const matchSearch = (event: SigmaEvent, search: unknown): boolean => {
  if (Array.isArray(search)) {
    return search.some((item) => {
      if (item === null || typeof item !== "object") throw new Error("keyword searches are not supported")
      return matchSearch(event, item)
    })
  }
  if (search === null || typeof search !== "object")
    throw new Error("a search identifier must be a map or list")
  return Object.entries(search).every(([key, value]) => matchField(event, key, value))
}

type Condition =
  | { readonly op: "id"; readonly name: string }
  | { readonly op: "not"; readonly arg: Condition }
  | { readonly op: "and" | "or"; readonly left: Condition; readonly right: Condition }

/** `condition` with and / or / not and parentheses; `not` binds tightest, then `and`, then `or`. */
export const parseCondition = (text: string): Condition => {
  const tokens = text.match(/\(|\)|[^\s()]+/g) ?? []
  let at = 0
  const peek = () => tokens[at]?.toLowerCase()
  const primary = (): Condition => {
    const token = tokens[at++]
    if (token === undefined) throw new Error(`condition ends early: ${text}`)
    if (token.toLowerCase() === "not") return { op: "not", arg: primary() }
    if (token === "(") {
      const inner = or()
      if (tokens[at++] !== ")") throw new Error(`unbalanced parentheses: ${text}`)
      return inner
    }
    if (/^(1|all|of|and|or|\))$/i.test(token) || token.includes("*")) {
      throw new Error(`unsupported condition construct "${token}" in: ${text}`)
    }
    return { op: "id", name: token }
  }
  const and = (): Condition => {
    let left = primary()
    while (peek() === "and") {
      at++
      left = { op: "and", left, right: primary() }
    }
    return left
  }
  const or = (): Condition => {
    let left = and()
    while (peek() === "or") {
      at++
      left = { op: "or", left, right: and() }
    }
    return left
  }
  const tree = or()
  if (at !== tokens.length) throw new Error(`unexpected "${tokens[at]}" in condition: ${text}`)
  return tree
}

const evaluateCondition = (
  condition: Condition,
  searches: Readonly<Record<string, unknown>>,
  event: SigmaEvent,
): boolean => {
  switch (condition.op) {
    case "id": {
      if (!(condition.name in searches) || condition.name === "condition") {
        throw new Error(`condition names an unknown search identifier ${condition.name}`)
      }
      return matchSearch(event, searches[condition.name])
    }
    case "not":
      return !evaluateCondition(condition.arg, searches, event)
    case "and":
      return (
        evaluateCondition(condition.left, searches, event) &&
        evaluateCondition(condition.right, searches, event)
      )
    case "or":
      return (
        evaluateCondition(condition.left, searches, event) ||
        evaluateCondition(condition.right, searches, event)
      )
  }
}

/** Whether one event matches a detection rule. */
export const matches = (rule: DetectionRule, event: SigmaEvent): boolean => {
  const { condition, ...searches } = rule.detection
  return evaluateCondition(parseCondition(condition), searches, event)
}

/** `Xs`, `Xm`, `Xh`, `Xd` → milliseconds. */
export const timespanMs = (timespan: string): number => {
  const m = /^(\d+)([smhd])$/.exec(timespan)
  if (!m) throw new Error(`bad timespan ${timespan}`)
  const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] as "s" | "m" | "h" | "d"]
  return Number(m[1]) * unit
}

const COMPARISONS: Record<string, (count: number, bound: number) => boolean> = {
  gt: (c, b) => c > b,
  gte: (c, b) => c >= b,
  lt: (c, b) => c < b,
  lte: (c, b) => c <= b,
  eq: (c, b) => c === b,
  neq: (c, b) => c !== b,
}

const meets = (condition: Readonly<Record<string, unknown>>, count: number): boolean => {
  const bounds = Object.entries(condition).filter(([key]) => key !== "field")
  if (bounds.length === 0) throw new Error("a correlation condition needs gt, gte, lt, lte, eq or neq")
  return bounds.every(([key, bound]) => {
    const compare = COMPARISONS[key]
    if (!compare || typeof bound !== "number") throw new Error(`bad correlation condition ${key}: ${bound}`)
    return compare(count, bound)
  })
}

/** A match of a rule: an event, or a correlation that fired at `time` for one group. */
export interface Hit {
  readonly rule: string
  readonly time: number
  /** Field values: the event's, or a correlation's group-by values. */
  readonly field: (name: string) => unknown
  /** The events behind the hit (the event itself, or the window that made the correlation fire). */
  readonly events: ReadonlyArray<SigmaEvent>
}

/**
 * Rules of one collection (every document of every file), and the events each logsource service reads:
 * `activities` and `login_failed` (the connector's two Activity topics).
 */
export const sigmaCollection = (rules: ReadonlyArray<SigmaRule>) => {
  const byRef = new Map<string, SigmaRule>()
  for (const rule of rules) {
    for (const ref of [rule.id, rule.name]) {
      if (ref === undefined) continue
      if (byRef.has(ref)) throw new Error(`two rules are named ${ref}`)
      byRef.set(ref, rule)
    }
  }
  const lookup = (ref: string): SigmaRule => {
    const rule = byRef.get(ref)
    if (!rule) throw new Error(`no rule has the id or name ${ref}`)
    return rule
  }

  const hitsOf = (
    ref: string,
    eventsByService: Readonly<Record<string, ReadonlyArray<SigmaEvent>>>,
  ): ReadonlyArray<Hit> => {
    const rule = lookup(ref)
    if (!isCorrelation(rule)) {
      const service = rule.logsource.service
      const events = service === undefined ? undefined : eventsByService[service]
      if (events === undefined) throw new Error(`no events recorded for logsource service ${service}`)
      return events
        .filter((event) => matches(rule, event))
        .map((event) => ({
          rule: ref,
          time: Date.parse(String(event.created_at)),
          field: (name: string) => fieldOf(event, name),
          events: [event],
        }))
    }
    const { type, rules: refs, "group-by": groupBy, timespan, condition } = rule.correlation
    const span = timespanMs(timespan)
    const inputs = refs.flatMap((r) => hitsOf(r, eventsByService)).sort((a, b) => a.time - b.time)
    // Hits without a value for every group-by field cannot be grouped; they are left out.
    const groups = new Map<string, Hit[]>()
    for (const hit of inputs) {
      const key = groupBy.map((name) => hit.field(name))
      if (key.some((v) => v === undefined || v === null)) continue
      const id = JSON.stringify(key)
      groups.set(id, [...(groups.get(id) ?? []), hit])
    }
    const fired: Hit[] = []
    const fire = (group: ReadonlyArray<Hit>, time: number, window: ReadonlyArray<Hit>) => {
      const values = Object.fromEntries(groupBy.map((name) => [name, group[0]?.field(name)]))
      fired.push({
        rule: ref,
        time,
        field: (name) => values[name],
        events: window.flatMap((h) => h.events),
      })
    }
    for (const group of groups.values()) {
      group.forEach((hit, i) => {
        // The window ending at this hit: every hit of the group within `timespan` before it.
        const window = group.slice(0, i + 1).filter((h) => h.time >= hit.time - span)
        switch (type) {
          case "event_count":
            if (meets(condition ?? {}, window.length)) fire(group, hit.time, window)
            return
          case "value_count": {
            const field = condition?.field
            if (typeof field !== "string") throw new Error("value_count needs condition.field")
            const distinct = new Set(
              window.map((h) => h.field(field)).filter((v) => v !== undefined && v !== null),
            )
            if (meets(condition ?? {}, distinct.size)) fire(group, hit.time, window)
            return
          }
          case "temporal": {
            const seen = new Set(window.map((h) => h.rule))
            const ok = condition === undefined ? refs.every((r) => seen.has(r)) : meets(condition, seen.size)
            if (ok) fire(group, hit.time, window)
            return
          }
          case "temporal_ordered": {
            // Fires at a hit of the last rule when hits of the others precede it, in order, within `timespan`.
            if (hit.rule !== refs.at(-1)) return
            let bound = hit.time
            const chain: Hit[] = [hit]
            for (const r of refs.slice(0, -1).reverse()) {
              const before = window.filter((h) => h.rule === r && h.time <= bound && h !== chain[0]).at(-1)
              if (!before) return
              chain.unshift(before)
              bound = before.time
            }
            fire(group, hit.time, chain)
            return
          }
          default:
            throw new Error(`unsupported correlation type ${type}`)
        }
      })
    }
    return fired.sort((a, b) => a.time - b.time)
  }

  return { lookup, hitsOf }
}
